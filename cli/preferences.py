"""``herald preferences`` and ``herald consent``: a customer's choices, from a shell.

    herald preferences show +14155550167 ana@example.com
    herald preferences set +14155550167 order_progress sms off
    herald consent show +14155550167
    herald consent stop +14155550167 --keyword STOP
    herald consent start +14155550167

Contacts are printed masked. Exit codes: 0 done, 2 refused input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TextIO

from sqlalchemy.orm import Session, sessionmaker

from config.policy import get_policy_settings
from domain.phone import InvalidPhoneNumber, mask_email, mask_phone, normalize_e164
from domain.timeline import Channel
from policy.channels import ConsentState
from policy.notification_types import CriticalNotificationError, critical_types
from store.consent import ConsentRecord, SmsConsent
from store.database import make_engine, make_session_factory
from store.preferences import NotificationPreferences

REFUSED = 2


def add_preferences_parser(subparsers: argparse._SubParsersAction) -> None:
    preferences = subparsers.add_parser(
        "preferences", help="a customer's notification choices per type and channel"
    )
    commands = preferences.add_subparsers(dest="preferences_command", required=True)
    show = commands.add_parser("show", help="every type on every channel, on or off")
    show.add_argument("contacts", nargs="+", metavar="CONTACT", help="phone (E.164) or e-mail")
    _database_option(show)
    show.set_defaults(handler=show_preferences_command)

    change = commands.add_parser("set", help="turn one type on or off on one channel")
    change.add_argument("contact", metavar="CONTACT", help="phone (E.164) or e-mail")
    change.add_argument("notification_type", metavar="TYPE")
    change.add_argument("channel", choices=[c.value for c in Channel])
    change.add_argument("state", choices=["on", "off"])
    _database_option(change)
    change.set_defaults(handler=set_preference_command)

    consent = subparsers.add_parser("consent", help="whether a phone number may be texted")
    consent_commands = consent.add_subparsers(dest="consent_command", required=True)
    for name, handler, description in (
        ("show", show_consent_command, "the number's current consent and its history"),
        ("stop", stop_command, "opt the number out of every SMS (as if it replied STOP)"),
        ("start", start_command, "opt the number back in (as if it replied START)"),
    ):
        command = consent_commands.add_parser(name, help=description)
        command.add_argument("phone", metavar="PHONE", help="E.164, e.g. +14155550167")
        if name != "show":
            command.add_argument("--keyword", help="the word the customer used, if any")
            command.add_argument("--source", default="cli", help="where it came from")
        _database_option(command)
        command.set_defaults(handler=handler)


def show_preferences_command(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    try:
        contacts = [_contact(c) for c in args.contacts]
    except ValueError as exc:
        return _refuse(str(exc))
    rules = get_policy_settings().rules()
    critical = critical_types(rules)
    with _sessions(args) as sessions:
        chosen = NotificationPreferences(sessions).for_customer(*contacts)
    off = {(c.notification_type, c.channel) for c in chosen if not c.enabled}
    print(f"customer {', '.join(_masked(c) for c in contacts)}", file=out)
    print(_row("type", [c.value for c in Channel]), file=out)
    for notification_type in sorted(rules.notification_types):
        cells = [
            "on*"
            if notification_type in critical
            else "off"
            if (notification_type, c) in off
            else "on"
            for c in Channel
        ]
        print(_row(notification_type, cells), file=out)
    print("  * critical: always on", file=out)
    return 0


def _row(label: str, cells: list[str]) -> str:
    return (f"  {label:<20}" + "".join(f"{cell:<7}" for cell in cells)).rstrip()


def set_preference_command(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    rules = get_policy_settings().rules()
    if args.notification_type not in rules.notification_types:
        return _refuse(f"unknown type (known: {', '.join(sorted(rules.notification_types))})")
    try:
        contact = _contact(args.contact)
        with _sessions(args) as sessions:
            saved = NotificationPreferences(sessions).set(
                contact,
                args.notification_type,
                Channel(args.channel),
                args.state == "on",
                critical_types=critical_types(rules),
                at=datetime.now(UTC),
                source="cli",
            )
    except (ValueError, CriticalNotificationError) as exc:
        return _refuse(str(exc))
    state = "on" if saved.enabled else "off"
    print(
        f"{_masked(contact)}: {saved.notification_type} by {saved.channel.value} {state}", file=out
    )
    return 0


def show_consent_command(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    try:
        phone = _phone(args.phone)
    except ValueError as exc:
        return _refuse(str(exc))
    with _sessions(args) as sessions:
        consent = SmsConsent(sessions)
        current, changes = consent.get(phone), consent.history(phone)
    print(f"{mask_phone(phone)}: {_consent_words(current)}", file=out)
    for change in changes:
        print(f"  {_when(change.changed_at)}  {_change_words(change)}", file=out)
    return 0


def stop_command(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    return _record_consent(args, ConsentState.OPTED_OUT, out)


def start_command(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    return _record_consent(args, ConsentState.OPTED_IN, out)


def _record_consent(args: argparse.Namespace, state: ConsentState, out: TextIO) -> int:
    try:
        phone = _phone(args.phone)
    except ValueError as exc:
        return _refuse(str(exc))
    keyword = args.keyword.strip().upper() if args.keyword else None
    with _sessions(args) as sessions:
        current = SmsConsent(sessions).record(
            phone,
            state,
            at=datetime.now(UTC),
            source=args.source,
            keyword=keyword,
            authoritative=True,  # an operator acting on what the customer asked
        )
    print(f"{mask_phone(phone)}: {_consent_words(current)}", file=out)
    return 0


def _database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database-url", help="default: HERALD_DATABASE_URL's store")


@contextmanager
def _sessions(args: argparse.Namespace) -> Iterator[sessionmaker[Session]]:
    from config.settings import get_settings

    engine = make_engine(args.database_url or get_settings().effective_database_url)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


def _phone(value: str) -> str:
    try:
        return normalize_e164(value)
    except InvalidPhoneNumber as exc:
        raise ValueError(str(exc)) from None


def _contact(value: str) -> str:
    if "@" not in value:
        return _phone(value)
    address = value.strip().lower()
    local, _, domain = address.partition("@")
    if not local or "." not in domain:
        raise ValueError(f"{mask_email(address)!r} is not an e-mail address")
    return address


def _masked(contact: str) -> str:
    return mask_email(contact) if "@" in contact else mask_phone(contact)


def _consent_words(record: ConsentRecord | None) -> str:
    if record is None:
        return "may be texted (no STOP or START on record)"
    since = f"since {_when(record.changed_at)} ({_origin(record)})"
    if record.opted_out:
        return f"opted out {since}: no SMS until START"
    return f"opted in {since}: may be texted"


def _change_words(record: ConsentRecord) -> str:
    return f"{record.state.value} ({_origin(record)})"


def _origin(record: ConsentRecord) -> str:
    return f"{record.keyword}, from {record.source}" if record.keyword else f"from {record.source}"


def _when(at: datetime) -> str:
    return f"{at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _refuse(problem: str) -> int:
    print(f"refused: {problem}", file=sys.stderr)
    return REFUSED
