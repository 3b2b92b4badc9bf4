"""``herald intake``: the intake's dead letters and backlog, for the people who run it.

``status`` shows the inbox's backlog and each source's health; ``prune`` deletes what is
past its retention (intake/housekeeping.py), as the HTTP service does every few minutes;
``dlq list`` the dead letters, most urgent first (priority, the orders the same failure
affects, the source's error rate); ``dlq show N`` one with its payload (it holds customer
data: the command reads the store directly, so it runs where the store's credentials
are); ``dlq replay N`` tries it again through the intake after a fix; ``dlq discard N``
closes it.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta
from typing import TextIO

from cli.errors import INVALID, NOT_FOUND, CliError


def add_intake_parser(subparsers: argparse._SubParsersAction) -> None:
    intake = subparsers.add_parser("intake", help="the intake's backlog and dead letters")
    commands = intake.add_subparsers(dest="intake_command", required=True)
    status = commands.add_parser("status", help="events waiting to reach their workflows")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(handler=status_command)
    prune = commands.add_parser(
        "prune", help="delete dispatched events and closed dead letters past their retention"
    )
    prune.add_argument("--batch", type=int, default=1000, help="rows a transaction")
    prune.set_defaults(handler=prune_command)
    dlq = commands.add_parser("dlq", help="payloads that could not be notified")
    actions = dlq.add_subparsers(dest="dlq_command", required=True)
    listing = actions.add_parser("list", help="most urgent first")
    listing.add_argument("--all", action="store_true", help="replayed and discarded too")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(handler=list_command)
    for name, handler, text in (
        ("show", show_command, "one dead letter, with its payload"),
        ("replay", replay_command, "try it again through the intake"),
        ("discard", discard_command, "close it without notifying"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("id", type=int)
        action.set_defaults(handler=handler)


def _store():  # type: ignore[no-untyped-def]
    from config.settings import get_settings
    from store.repository import Store

    return Store.connect(get_settings().effective_database_url)


def status_command(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    from intake.health import status_report

    store = _store()
    try:
        report = status_report(store, datetime.now(UTC))
    finally:
        store.close()
    if args.json:
        out.write(json.dumps(report) + "\n")
        return 0
    oldest = report["oldest_waiting_seconds"]
    age = f", the oldest for {oldest:.0f} s" if oldest is not None else ""
    out.write(
        f"{report['waiting']} events waiting{age}; {report['dead_letters']} open dead letters\n"
    )
    for source in report["sources"]:  # type: ignore[attr-defined]
        lag = source["oldest_waiting_seconds"]
        out.write(
            f"  {source['source']}/{source['account']}: {source['status']}, last event "
            f"{source['last_event_at']}, last hour {source['events_last_hour']} in / "
            f"{source['refused_last_hour']} refused, {source['waiting']} waiting"
            + (f" (the oldest {lag:.0f} s)" if lag is not None else "")
            + "\n"
        )
    for watcher in report["watchers"]:  # type: ignore[attr-defined]
        lag = watcher["lag_seconds"]
        error = f", last error: {watcher['last_error']}" if watcher["failures"] else ""
        out.write(
            f"  {watcher['source']} table {watcher['account']}: {watcher['status']}, "
            f"read to the end {'never' if lag is None else f'{lag:.0f} s ago'}{error}\n"
        )
    return 0


def prune_command(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    from config.settings import get_settings
    from intake.housekeeping import Retention, prune

    if args.batch < 1:
        raise CliError(f"--batch must be at least 1, not {args.batch}", INVALID)
    retention = Retention.from_settings(get_settings())
    store = _store()
    try:
        pruned = prune(store, retention, datetime.now(UTC), args.batch)
    finally:
        store.close()
    days = {name: f"{span / timedelta(days=1):g}" for name, span in vars(retention).items()}
    out.write(
        f"pruned {pruned.inbox_rows} dispatched events (older than {days['dispatched']} "
        f"days; an order's newest: {days['order_memory']}) and {pruned.dead_letters} "
        f"closed dead letters (older than {days['dead_letters']} days) in "
        f"{pruned.batches} batches\n"
    )
    return 0


def list_command(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    from intake.health import error_rates

    store = _store()
    try:
        rates = error_rates(store, datetime.now(UTC))
        letters = store.dead_letters.list(args.limit, include_closed=args.all, error_rates=rates)
    finally:
        store.close()
    rows = [letter.as_json() for letter in letters]
    if args.json:
        out.write(json.dumps(rows, indent=2) + "\n")
        return 0
    if not rows:
        out.write("no dead letters\n")
    for row in rows:
        out.write(
            f"#{row['id']} p{row['priority']} {row['source']}/{row['account']} "
            f"x{row['count']}, {row['orders_affected']} orders alike, last {row['last_seen']}: "
            f"{row['reason']}\n"
        )
    return 0


def show_command(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    store = _store()
    try:
        letter = store.dead_letters.get(args.id)
    finally:
        store.close()
    if letter is None:
        raise CliError(f"no dead letter {args.id}: `herald intake dlq list` lists them", NOT_FOUND)
    out.write(
        f"#{letter.id} {letter.source}/{letter.account}, priority {letter.priority}, seen "
        f"{letter.count} times ({letter.first_seen:%Y-%m-%d %H:%M:%S} to "
        f"{letter.last_seen:%Y-%m-%d %H:%M:%S} UTC)\nreason: {letter.reason}\npayload:\n"
    )
    out.write(letter.payload.decode(errors="replace") + "\n")
    return 0


def replay_command(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    from intake.replay import replay

    store = _store()
    try:
        try:
            outcome = replay(store, args.id, datetime.now(UTC))
        except LookupError as missing:
            raise CliError(str(missing), NOT_FOUND) from missing
    finally:
        store.close()
    if outcome.refused is not None:
        out.write(f"#{args.id} still cannot be notified: {outcome.refused}\n")
        return 4
    out.write(f"#{args.id} replayed: {outcome.accepted} event(s) on their way\n")
    return 0


def discard_command(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    store = _store()
    try:
        closed = store.dead_letters.discard(args.id, datetime.now(UTC))
    finally:
        store.close()
    if not closed:
        raise CliError(f"no open dead letter {args.id}", NOT_FOUND)
    out.write(f"#{args.id} discarded\n")
    return 0
