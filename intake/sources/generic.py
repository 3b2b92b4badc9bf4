"""Any OMS: Herald's own milestone JSON over HTTP (the shape of domain/events.py).

Governed like every source: a payload that is usable but has one unusable contact goes
through with the contacts that work (a malformed e-mail beside a good phone: SMS only), and
says what it dropped; only a payload that cannot be notified is refused, with the
validator's reasons in words a person can act on. What OMSs write differently but means
the same is read leniently first (:func:`_as_meant`): a milestone in capitals or with
dashes, no name, a phone typed locally (read in the account's default region), a detail
past the event's limit (cut), no event id (the order and the milestone make one, as for
Shopify: a redelivery is still the same event), and a time written without its UTC offset
(an OMS's local time) when the account's ``[[generic]]`` table names its ``time_zone``.
Without one such a time is refused, since it could be any of 26 hours: the reason says to
send the offset or set the time zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from domain.events import MilestoneEvent, known_time_zone
from domain.milestones import Milestone
from intake.source import NAMELESS_CUSTOMER, IntakeRefused, Mapped, priority_of
from intake.validation import DEFAULT_RULES, DETAIL_LIMIT, Rules, read_phone

SOURCE = "generic"
# The inbox key's delivery part: the event id is the OMS's own, so an event sent again (or
# a replayed letter, then the OMS's retry) is one row.
DELIVERY = "event"
CONTACTS = ("phone", "email", "push_token")
# The event's times that an OMS may write in its local time: (path to the object, key).
LOCAL_TIMES = (
    ((), "occurred_at"),
    (("shipment",), "estimated_arrival"),
    (("shipment",), "estimated_arrival_end"),
)


class GenericAccount(BaseModel):
    """One OMS sending to ``POST /intake/events`` (``[[generic]]`` in config/intake.toml),
    named as its ``X-Herald-Account`` header names it. Optional: an account without a
    table has the defaults. What it accepts is its [[validation]] table."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    account: str = Field(min_length=1, max_length=255)
    # The zone a time without a UTC offset is read in (the OMS's local time); none: such a
    # time is refused.
    time_zone: str | None = None

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str | None) -> str | None:
        return None if value is None else known_time_zone(value)

    @field_validator("account")
    @classmethod
    def _any_case(cls, value: str) -> str:
        return value.strip().lower()


def map_generic(
    payload: Any, rules: Rules = DEFAULT_RULES, *, time_zone: str | None = None
) -> Mapped:
    """One event; a contact that fails validation is dropped if another one works.

    A milestone the account does not use (``rules``) is ignored before its customer is
    read; the route applies the account's other rules to the event. ``time_zone``: the
    account's (:class:`GenericAccount`), where a time without an offset is read.
    """
    if not isinstance(payload, Mapping):
        raise IntakeRefused("the body is not a JSON object")
    payload = _as_meant(payload, rules)
    if time_zone is not None:
        payload = _local_times_read(payload, ZoneInfo(time_zone))
    milestone = _milestone_of(payload)
    if milestone is not None and not rules.uses(milestone):
        return Mapped(ignored=f"the account does not use {milestone.value}")
    try:
        return Mapped([MilestoneEvent.model_validate(payload)])
    except ValidationError as error:
        first = error
    bad = _bad_contacts(first)
    customer = payload.get("customer")
    if bad and isinstance(customer, Mapping):
        kept = {k: v for k, v in customer.items() if k not in bad}
        try:
            event = MilestoneEvent.model_validate({**payload, "customer": kept})
        except ValidationError:
            pass
        else:
            return Mapped([event], ignored=f"unusable {', '.join(sorted(bad))} dropped")
    raise IntakeRefused(_describe(first), priority_of(_milestone_of(payload)))


def _as_meant(payload: Mapping[str, Any], rules: Rules) -> dict[str, Any]:
    """The payload with what it means written as the model reads it; anything else as it
    came, for the model to judge."""
    meant = dict(payload)
    for key in ("milestone", "kind"):
        if isinstance(value := meant.get(key), str):
            meant[key] = value.strip().lower().replace("-", "_").replace(" ", "_")
    if isinstance(detail := meant.get("detail"), str) and len(detail) > DETAIL_LIMIT:
        meant["detail"] = detail[:DETAIL_LIMIT]
    if not meant.get("event_id") and all(isinstance(meant.get(k), str) for k in _EVENT_KEY):
        meant["event_id"] = ":".join(meant[k] for k in _EVENT_KEY)
    customer = meant.get("customer")
    if isinstance(customer, Mapping):
        customer = dict(customer)
        if not isinstance(name := customer.get("name"), str) or not name.strip():
            customer["name"] = NAMELESS_CUSTOMER
        if isinstance(phone := customer.get("phone"), str):
            customer["phone"] = read_phone(phone, [rules.default_region]) or phone
        meant["customer"] = customer
    return meant


_EVENT_KEY = ("reference", "milestone")


def _local_times_read(payload: dict[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    """The payload with each time written without an offset read in ``zone``. A time in
    the hour a clock skips in spring is read with the offset before the change (02:30 is
    03:30 summer time), one that happens twice in autumn as the first: the event's time
    is then at most an hour off, which costs the customer nothing, while a refusal would
    cost the message (PEP 495's ``fold=0``)."""
    meant = dict(payload)
    for path, key in LOCAL_TIMES:
        holder: dict[str, Any] = meant
        for part in path:
            inner = holder.get(part)
            if not isinstance(inner, Mapping):
                break
            copied = dict(inner)  # the caller's payload is left as it came
            holder[part] = copied
            holder = copied
        else:
            local = _naive_time(holder.get(key))
            if local is not None:
                holder[key] = local.replace(tzinfo=zone).isoformat()
    return meant


def _naive_time(value: Any) -> datetime | None:
    """``value`` as a time without an offset, or None (an offset, a number, no time)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is None else None


def _bad_contacts(error: ValidationError) -> set[str]:
    return {
        str(e["loc"][1])
        for e in error.errors()
        if len(e["loc"]) >= 2 and e["loc"][0] == "customer" and e["loc"][1] in CONTACTS
    }


def _describe(error: ValidationError) -> str:
    """The validator's findings as one line: ``customer.phone: not a phone number; ...``."""
    parts = []
    for e in error.errors()[:5]:
        where = ".".join(str(p) for p in e["loc"]) or "body"
        if e["type"] == "timezone_aware":
            parts.append(f"{where}: {NO_OFFSET.format(value=e['input'])}")
        else:
            parts.append(f"{where}: {e['msg']}")
    return "; ".join(parts)


NO_OFFSET = (
    "{value!r} has no UTC offset: send the time with its offset (2026-12-06T10:00:00+01:00 "
    "or ...Z), or set time_zone in the account's [[generic]] table of config/intake.toml"
)


def _milestone_of(payload: Mapping[str, Any]) -> Milestone | None:
    try:
        return Milestone(payload.get("milestone"))
    except ValueError:
        return None
