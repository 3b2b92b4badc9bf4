"""Any OMS: Herald's own milestone JSON over HTTP (the shape of domain/events.py).

Governed like every source: a payload that is usable but has one unusable contact goes
through with the contacts that work (a malformed e-mail beside a good phone: SMS only), and
says what it dropped; only a payload that cannot be notified is refused, with the
validator's reasons in words a person can act on. What OMSs write differently but means
the same is read leniently first (:func:`_as_meant`): a milestone in capitals or with
dashes, no name, a phone typed locally (read in the account's default region), a detail
past the event's limit (cut), no event id (the order and the milestone make one, as for
Shopify: a redelivery is still the same event).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from domain.events import MilestoneEvent
from domain.milestones import Milestone
from intake.source import NAMELESS_CUSTOMER, IntakeRefused, Mapped, priority_of
from intake.validation import DEFAULT_RULES, DETAIL_LIMIT, Rules, read_phone

CONTACTS = ("phone", "email", "push_token")


def map_generic(payload: Any, rules: Rules = DEFAULT_RULES) -> Mapped:
    """One event; a contact that fails validation is dropped if another one works.

    A milestone the account does not use (``rules``) is ignored before its customer is
    read; the route applies the account's other rules to the event.
    """
    if not isinstance(payload, Mapping):
        raise IntakeRefused("the body is not a JSON object")
    payload = _as_meant(payload, rules)
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
        parts.append(f"{where}: {e['msg']}")
    return "; ".join(parts)


def _milestone_of(payload: Mapping[str, Any]) -> Milestone | None:
    try:
        return Milestone(payload.get("milestone"))
    except ValueError:
        return None
