"""Validation per source and account (issue 18): what each account accepts, from
configuration (``[[validation]]`` tables in config/intake.toml), applied to every source's
events after the source has mapped a payload and before the events are kept.

The rule of the intake: a payload that is usable but incomplete goes through with what it
has (a landline dropped, the e-mail kept: e-mail only), a milestone the account does not
use is ignored, and only what cannot be notified under the account's rules is refused.
Pure: no I/O. A source calls :func:`read_phone` while it maps (only it knows the address's
country) and its route calls :func:`apply_rules` (or :func:`checked`) on the result.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import phonenumbers
from phonenumbers import PhoneNumberType
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from domain.events import Customer, MilestoneEvent
from domain.milestones import Milestone
from intake.source import NAMELESS_CUSTOMER, IntakeRefused, Mapped, priority_of

ANY = "*"  # a table's source or account that matches every one

# Numbers no SMS reaches. FIXED_LINE_OR_MOBILE (all of North America) is not among them:
# such a number may well be a mobile, and dropping it would lose most of a US shop's SMS.
NOT_TEXTABLE = frozenset(
    {
        PhoneNumberType.FIXED_LINE,
        PhoneNumberType.TOLL_FREE,
        PhoneNumberType.PREMIUM_RATE,
        PhoneNumberType.SHARED_COST,
        PhoneNumberType.VOICEMAIL,
        PhoneNumberType.UAN,
        PhoneNumberType.PAGER,
    }
)
DETAIL_LIMIT = 500  # MilestoneEvent.detail's own limit
_REGION = r"^[A-Z]{2}$"


class Rules(BaseModel):
    """One account's rules; every field has the lenient default (accept what can be sent)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # The contact an event must still have once the rules below have dropped what they
    # drop: any (phone, e-mail or push token), or a phone (an SMS-only account), or an
    # e-mail. An event without it is refused.
    contact: Literal["any", "phone", "email"] = "any"
    # Where a phone typed without its country code is dialled when the payload names no
    # country (a US shop's "(415) 555-0123").
    default_region: str | None = Field(default=None, pattern=_REGION)
    # Countries whose phones may be texted (none: all). Another country's phone is dropped,
    # the e-mail kept.
    phone_countries: frozenset[str] | None = None
    # What to do with a phone no SMS reaches (a fixed line, a toll-free number): keep it
    # (an SMS is tried, then the fallback) or drop it and keep the e-mail.
    landline: Literal["keep", "drop"] = "keep"
    # The milestones this account's customers hear of (none: all); others are ignored.
    milestones: frozenset[Milestone] | None = None
    # A longer detail (a carrier's free text) is cut, never refused.
    detail_max: int = Field(default=DETAIL_LIMIT, ge=0, le=DETAIL_LIMIT)

    @field_validator("phone_countries")
    @classmethod
    def _regions(cls, value: frozenset[str] | None) -> frozenset[str] | None:
        bad = sorted(c for c in value or () if not re.fullmatch(_REGION, c))
        if bad:
            raise ValueError(f"not ISO country codes (e.g. 'US'): {', '.join(bad)}")
        return value

    def uses(self, milestone: Milestone) -> bool:
        """Whether the account's customers hear of ``milestone`` (a source may ask before
        it looks the customer up: an unused milestone is ignored even without one)."""
        return self.milestones is None or milestone in self.milestones


DEFAULT_RULES = Rules()
# Keys an account's own table once had; they are its [[validation]] table's now, one place.
MOVED_TO_RULES = ("milestones", "default_region")


def rules_moved(table: Any, source: str) -> Any:
    """An account table (``[[easypost]]``, ``[[aftership]]``) as written, or a start-up
    error saying where a rule it still holds now lives."""
    if not isinstance(table, Mapping):
        return table
    moved = [key for key in MOVED_TO_RULES if key in table]
    if moved:
        name = table.get("name", "<name>")
        raise ValueError(
            f"{', '.join(moved)} moved to the account's [[validation]] table "
            f'(source = "{source}", account = "{name}"): see config/intake.toml'
        )
    return table


class RuleBook:
    """Every ``[[validation]]`` table; :meth:`rules_for` merges those that match.

    A table names a ``source`` and an ``account`` (either may be ``"*"``, the default). The
    rules of (shopify, a shop) are the built-in defaults, then the ``*``/``*`` table, then
    shopify/``*``, then shopify/that shop: a more specific table overrides only the keys
    it sets, so a rule shared by every account is written once.
    """

    def __init__(self, tables: Iterable[Mapping[str, Any]] = ()) -> None:
        self._tables: dict[tuple[str, str], dict[str, Any]] = {}
        for table in tables:
            fields = dict(table)
            key = (str(fields.pop("source", ANY)), str(fields.pop("account", ANY)).lower())
            if key in self._tables:
                source, account = key
                raise ValueError(f"two [[validation]] tables for {source!r} account {account!r}")
            Rules.model_validate(fields)  # a bad table fails at start-up, not at a webhook
            self._tables[key] = fields

    def rules_for(self, source: str, account: str) -> Rules:
        return self._merged(source, account.lower())

    # Bounded: the generic source's account is whatever its caller names.
    @lru_cache(maxsize=1024)  # noqa: B019 - one book per process
    def _merged(self, source: str, account: str) -> Rules:
        merged: dict[str, Any] = {}
        for key in ((ANY, ANY), (source, ANY), (ANY, account), (source, account)):
            merged.update(self._tables.get(key, {}))
        return Rules.model_validate(merged)


def read_phone(raw: str | None, regions: Sequence[str | None]) -> str | None:
    """``raw`` in E.164, or None: typed with ``+`` it needs no region; typed locally
    (``(415) 555-0123``, ``030 901820``, ``0151 2345 6789``) it is read in the first of
    ``regions`` where it is a valid number (the shipping country, then the billing
    country, then the account's default). Spaces, dots, dashes, a ``(0)`` and an
    extension (``ext. 12``) are the ways people type numbers, not errors."""
    if not raw or not raw.strip():
        return None
    # A number typed with + reads the same in any region; None reads only such a number.
    candidates: list[str | None] = [*dict.fromkeys(r.upper() for r in regions if r)] or [None]
    for region in candidates:
        try:
            parsed = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return None


def valid_email(value: str) -> bool:
    """Whether ``value`` is an address the customer model takes (a bad one is dropped by
    the source, not the customer)."""
    try:
        Customer(name=NAMELESS_CUSTOMER, email=value)
    except ValidationError:
        return False
    return True


@dataclass(frozen=True)
class Validated:
    """The events the account takes (maybe with less), and what became of the others."""

    events: list[MilestoneEvent] = field(default_factory=list)
    refusals: list[IntakeRefused] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # "phone of order 12: a landline"
    ignored: list[str] = field(default_factory=list)  # milestones the account does not use

    def note(self) -> str | None:
        refused = [f"refused: {r.reason}" for r in self.refusals] if self.events else []
        parts = [*self.dropped, *self.ignored, *refused]
        return "; ".join(parts) or None


def apply_rules(events: Sequence[MilestoneEvent], rules: Rules) -> Validated:
    """Each event kept (perhaps with a contact dropped or its detail cut), ignored, or
    refused with a reason and a priority (critical milestones first)."""
    kept: list[MilestoneEvent] = []
    refusals: list[IntakeRefused] = []
    dropped: list[str] = []
    ignored: list[str] = []
    for event in events:
        what = f"{event.milestone.value} of {event.kind.value} {event.reference}"
        if not rules.uses(event.milestone):
            ignored.append(f"{what}: the account does not use {event.milestone.value}")
            continue
        customer, why_dropped = _reachable_part(event.customer, rules)
        dropped += [f"{what}: {why}" for why in why_dropped]
        missing = _missing_contact(customer, rules)
        if missing:
            refusals.append(IntakeRefused(f"{what}: {missing}", priority_of(event.milestone)))
            continue
        update: dict[str, Any] = {}
        if customer is not event.customer:
            update["customer"] = customer
        if event.detail and len(event.detail) > rules.detail_max:
            update["detail"] = event.detail[: rules.detail_max] or None
            dropped.append(f"{what}: detail cut to {rules.detail_max} characters")
        kept.append(event.model_copy(update=update) if update else event)
    return Validated(kept, refusals, dropped, ignored)


def checked(mapped: Mapped, rules: Rules) -> Mapped:
    """A route's one call after mapping: the events the account takes, with one note for
    the log and the answer. Raises the refusal when every event was refused (the payload
    becomes a dead letter); a source that maps several events per payload and wants the
    refused ones kept as dead letters too reads :func:`apply_rules` itself."""
    validated = apply_rules(mapped.events, rules)
    if validated.refusals and not validated.events:
        reasons = "; ".join(r.reason for r in validated.refusals)
        raise IntakeRefused(reasons, max(r.priority for r in validated.refusals))
    notes = [n for n in (mapped.ignored, validated.note()) if n]
    return Mapped(validated.events, ignored="; ".join(notes) or None)


def _reachable_part(customer: Customer, rules: Rules) -> tuple[Customer, list[str]]:
    """The customer without the phone the rules will not text, and why it went."""
    if customer.phone is None:
        return customer, []
    parsed = phonenumbers.parse(customer.phone, None)  # E.164 already: the model checked
    why: str | None = None
    country = phonenumbers.region_code_for_number(parsed)
    if rules.phone_countries is not None and country not in rules.phone_countries:
        allowed = ", ".join(sorted(rules.phone_countries))
        why = f"phone dropped: {country or 'unknown country'} is not among {allowed}"
    elif rules.landline == "drop" and phonenumbers.number_type(parsed) in NOT_TEXTABLE:
        why = "phone dropped: no SMS reaches a landline"
    if why is None:
        return customer, []
    # model_copy skips the validator, so the customer's reachability is checked after.
    return customer.model_copy(update={"phone": None}), [why]


def _missing_contact(customer: Customer, rules: Rules) -> str | None:
    if rules.contact == "phone" and customer.phone is None:
        return "no phone that can be texted, and the account notifies by SMS only"
    if rules.contact == "email" and customer.email is None:
        return "no e-mail, and the account notifies by e-mail only"
    if not (customer.phone or customer.email or customer.push_token):
        return "no phone, e-mail or push token left to notify"
    return None
