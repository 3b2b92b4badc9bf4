"""AfterShip tracking webhooks: their signature check and one tracking to at most one order
milestone event.

Owns what Herald reads from AfterShip's webhook body (``event``, ``event_id``, ``ts``,
``msg``: the tracking, with ``tracking_number``, ``slug``, ``tag``, ``subtag``,
``checkpoints``, ``order_id``, ``customer_name``, ``smses``, ``emails``,
``expected_delivery``, ``courier_tracking_link``) and each AfterShip account's configuration.
Pure: no HTTP, no store.

Unlike EasyPost, an AfterShip tracking often names its order and customer (the merchant
sends them when creating it): a shipment no other source named yet still reaches its
customer, from ``order_id`` and the tracking's own phones and e-mails.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from babel.core import get_global
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.events import Customer, known_time_zone
from domain.milestones import Kind, workflow_id_for
from intake.carrier_statuses import StatusTable
from intake.source import PRIORITY_NORMAL, IntakeRefused, Mapped, priority_of
from intake.sources.shopify import verify_hmac as _verify_base64_hmac
from intake.sources.tracking import (
    CustomerLookup,
    OrderLookup,
    ShipmentOrder,
    TrackerReport,
    contact_customer,
    current_run,
    moment,
    run_key,
    ships_for,
    text,
    timed_scans,
    tracker_event,
)
from intake.validation import DEFAULT_RULES, Rules, rules_moved

SIGNATURE_HEADER = "aftership-hmac-sha256"
TRACKING_UPDATE = "tracking_update"
_REFERENCE_SHAPE = r"^[A-Za-z0-9._:-]{1,100}$"


class AfterShipAccount(BaseModel):
    """One AfterShip account (``[[aftership]]`` in config/intake.toml), its defaults for
    a customer the tracking itself names, and its status table. Which milestones it tells
    and where a local phone is read (``default_region``) are its [[validation]] table's
    (intake/validation.py), the one place for such rules."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")
    merchant: str | None = Field(default=None, max_length=100)
    locale: str = "en"
    time_zone: str = "UTC"
    statuses: StatusTable

    @model_validator(mode="before")
    @classmethod
    def _rules_moved(cls, table: Any) -> Any:
        return rules_moved(table, "aftership")

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        return known_time_zone(value)


def verify_signature(raw_body: bytes, header: str | None, secrets: Sequence[str]) -> bool:
    """``aftership-hmac-sha256`` is base64(HMAC-SHA256(secret, raw body)): Shopify's scheme,
    so the same constant-time check (any of ``secrets``, for a rotation)."""
    return _verify_base64_hmac(raw_body, header, secrets)


def delivery_id(payload: Any) -> str | None:
    """The webhook's ``event_id``: the same on AfterShip's redelivery."""
    event_id = payload.get("event_id") if isinstance(payload, Mapping) else None
    return event_id if isinstance(event_id, str) and event_id.strip() else None


def map_webhook(
    payload: Any,
    *,
    account: AfterShipAccount,
    order_of: OrderLookup,
    customer_of: CustomerLookup,
    rules: Rules = DEFAULT_RULES,
) -> Mapped:
    """A webhook body to at most one milestone event, nothing (``ignored`` says why), or
    :class:`IntakeRefused`. ``order_of``/``customer_of`` errors propagate (a store
    outage is retried, not dead-lettered). ``rules`` are the account's: a milestone it
    does not use is ignored before any look-up, and a phone the tracking types locally is
    read in the tracking's country, else the rules' ``default_region``."""
    if not isinstance(payload, Mapping):
        raise IntakeRefused("the AfterShip webhook is not a JSON object")
    event = payload.get("event")
    if event != TRACKING_UPDATE:
        return Mapped(ignored=f"AfterShip event {event!r} is not a tracking update")
    tracking = payload.get("msg")
    if not isinstance(tracking, Mapping):
        raise IntakeRefused(f"AfterShip webhook {payload.get('event_id')!r} has no tracking")
    sent_at = payload.get("ts")
    try:
        report = _report(tracking, account, sent_at)
    except IntakeRefused:
        raise
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError) as exc:
        raise IntakeRefused(f"AfterShip tracking could not be read: {exc}") from exc
    milestone = report.meaning.milestone
    if milestone is None:
        return Mapped(ignored=f"{report.described} tells the customer nothing")
    if not rules.uses(milestone):
        return Mapped(ignored=f"account {account.name} does not use {milestone.value}")
    order = order_of(report.tracking_code, report.carrier) or _named_order(tracking, account)
    if order is None:
        raise IntakeRefused(
            f"{report.described}: tracking number {report.tracking_code} is not linked to an "
            "order yet and the tracking names no valid order_id; replay once the order's "
            "shipped event is in",
            priority_of(milestone),
        )
    if order.kind != Kind.ORDER.value:
        return Mapped(ignored=f"tracking number {report.tracking_code} ships a {order.kind}")
    if not ships_for(order, account.merchant):
        raise IntakeRefused(  # the order not named: the reason goes back to the sender
            f"{report.described}: tracking number {report.tracking_code} ships another "
            f"merchant's order, not {account.merchant}'s",
            PRIORITY_NORMAL,
        )
    # The customer the order's own events named first: fuller than a tracking's contacts.
    customer = customer_of(order.workflow_id) or _named_customer(tracking, account, rules)
    if customer is None:
        raise IntakeRefused(
            f"{report.described} for order {order.reference}: no customer with a valid phone "
            "or e-mail, neither known for the order nor in the tracking",
            priority_of(milestone),
        )
    return Mapped(events=[tracker_event(report, milestone, order, customer, account.merchant)])


class _NamedOrder(BaseModel):
    """The order a tracking names itself (``order_id``), when no source linked its code."""

    model_config = ConfigDict(frozen=True)

    kind: str = Kind.ORDER.value
    reference: str = Field(pattern=_REFERENCE_SHAPE)
    workflow_id: str
    merchant: str | None = None


def _named_order(tracking: Mapping[str, Any], account: AfterShipAccount) -> ShipmentOrder | None:
    reference = text(tracking, "order_id")
    if reference is None:
        return None
    try:
        return _NamedOrder(
            reference=reference,
            workflow_id=workflow_id_for(Kind.ORDER, reference),
            merchant=account.merchant,
        )
    except ValueError:
        return None  # not a reference Herald can use: as if none were named


def _named_customer(
    tracking: Mapping[str, Any], account: AfterShipAccount, rules: Rules
) -> Customer | None:
    phones, emails = tracking.get("smses"), tracking.get("emails")
    return contact_customer(
        name=text(tracking, "customer_name"),
        phones=phones if isinstance(phones, list) else [],
        emails=emails if isinstance(emails, list) else [],
        region=_region(tracking) or rules.default_region,
        locale=text(tracking, "language") or account.locale,
        time_zone=account.time_zone,
    )


def _region(tracking: Mapping[str, Any]) -> str | None:
    """A local phone number's country: AfterShip writes ISO 3166-1 alpha-3 (``USA``), which
    CLDR's territory aliases (in babel) turn into the alpha-2 phonenumbers reads."""
    code = text(tracking, "destination_country_region") or text(tracking, "origin_country_region")
    if not code:
        return None
    code = code.upper()
    if len(code) == 2:
        return code
    aliases = get_global("territory_aliases").get(code)
    return aliases[0] if aliases and len(aliases[0]) == 2 else None


# AfterShip names a carrier by a slug (``ups``, ``canada-post``); the customer reads its
# name. Short slugs are initials (UPS, USPS, DHL, DPD); the rest are words, but for these.
_CARRIER_NAMES = {"fedex": "FedEx", "ontrac": "OnTrac", "lasership": "LaserShip"}
_INITIALS_MAX = 4


def carrier_name(slug: str | None) -> str | None:
    """``ups`` -> ``UPS``, ``canada-post`` -> ``Canada Post``, ``fedex`` -> ``FedEx``."""
    if not slug:
        return None
    slug = slug.strip().lower()
    if slug in _CARRIER_NAMES:
        return _CARRIER_NAMES[slug]
    if len(slug) <= _INITIALS_MAX and slug.isalpha():
        return slug.upper()
    return " ".join(word.capitalize() for word in slug.replace("_", "-").split("-") if word)


def _report(tracking: Mapping[str, Any], account: AfterShipAccount, sent_at: Any) -> TrackerReport:
    code = text(tracking, "tracking_number")
    if not code:
        raise IntakeRefused("AfterShip tracking has no tracking_number")
    tag, subtag = text(tracking, "tag"), text(tracking, "subtag")
    described = f"AfterShip tracking {text(tracking, 'id') or code} (tag {tag}/{subtag})"
    meaning = account.statuses.meaning(tag, subtag)
    if meaning is None:
        raise IntakeRefused(
            f"{described}: tag {tag!r} is not in config/carrier_statuses.toml", PRIORITY_NORMAL
        )
    checkpoints = timed_scans(tracking.get("checkpoints"), "checkpoint_time")
    run = current_run(checkpoints, lambda point: point.get("tag") == tag)
    latest = run[-1] if run else None
    occurred_at = (
        (latest[0] if latest else None) or moment(tracking.get("updated_at")) or _unix(sent_at)
    )
    if occurred_at is None:
        raise IntakeRefused(
            f"{described} has no valid time in checkpoints, updated_at or ts",
            priority_of(meaning.milestone),
        )
    first_of_run = run[0][0] if run else occurred_at
    message = latest[1].get("message") if latest else None
    return TrackerReport(
        described=described,
        tracking_code=code,
        carrier=carrier_name(text(tracking, "slug")),
        meaning=meaning,
        occurred_at=occurred_at,
        repeat_key=run_key(first_of_run),
        tracking_url=text(tracking, "courier_tracking_link"),
        estimated_arrival=moment(tracking.get("expected_delivery")),
        detail=message if isinstance(message, str) else text(tracking, "subtag_message"),
    )


def _unix(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return datetime.fromtimestamp(value, UTC)
