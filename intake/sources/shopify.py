"""Shopify webhooks: their signature check and their mapping to order milestone events.

Owns what Herald reads from Shopify's Admin REST webhook payloads (``orders/create``,
``fulfillments/create`` and ``/update``, ``fulfillment_events/create``) and each shop's
configuration (:class:`ShopifyAccount`). Pure: no HTTP, no store. The route checks the
signature with :func:`verify_hmac`, maps with :func:`map_webhook` and keeps the result or the
refusal.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from domain.events import Customer, DeliveryProblem, MilestoneEvent, Shipment, known_time_zone
from domain.milestones import MILESTONES_BY_KIND, REPEATABLE_MILESTONES, Kind, Milestone
from intake.source import NAMELESS_CUSTOMER, IntakeRefused, Mapped, priority_of
from intake.sources.tracking import run_key
from intake.validation import DEFAULT_RULES, Rules, read_phone, valid_email

SOURCE = "shopify"  # the inbox's and the dead letters' source
TOPIC_ORDER_CREATED = "orders/create"
TOPIC_FULFILLMENT_CREATED = "fulfillments/create"
# A fulfillment created pending and shipped later says so in an update: the same event id
# as a shipped create, so the order's workflow tells it once.
TOPIC_FULFILLMENT_UPDATED = "fulfillments/update"
TOPIC_FULFILLMENT_EVENT_CREATED = "fulfillment_events/create"
FULFILLMENT_TOPICS = (TOPIC_FULFILLMENT_CREATED, TOPIC_FULFILLMENT_UPDATED)
TOPICS = (TOPIC_ORDER_CREATED, *FULFILLMENT_TOPICS, TOPIC_FULFILLMENT_EVENT_CREATED)

# A fulfillment event's ``status`` to the milestone it tells. ``in_transit`` says what the
# fulfillment already said (shipped: the same event id, so one message at most); saying
# "out for delivery" days early would also make the real one look stale.
DEFAULT_EVENT_STATUSES: dict[str, Milestone] = {
    "in_transit": Milestone.SHIPPED,
    "out_for_delivery": Milestone.OUT_FOR_DELIVERY,
    "attempted_delivery": Milestone.DELIVERY_ATTEMPTED,
    "delayed": Milestone.DELAYED,
    "delivered": Milestone.DELIVERED,
    "failure": Milestone.EXCEPTION,
}

# A fulfillment's ``status`` (Shopify's Fulfillment resource): ``success`` is done, the
# parcel handed over; ``pending`` (waiting for a fulfillment service) and ``open`` (the
# service is working on it) have shipped nothing yet, even with a label and its tracking
# number; the others never will. A label is not a shipment: telling the customer "shipped"
# for it would be wrong for days if the parcel waits, so an unshipped one is ignored and the
# later fulfillments/update (success) or fulfillment event (in transit) tells it.
SHIPPED_FULFILLMENT_STATE = "success"
NOT_YET_SHIPPED_FULFILLMENT_STATES = frozenset({"pending", "open"})
UNSHIPPED_FULFILLMENT_STATES = frozenset({"cancelled", "error", "failure"})
# ``shipment_status`` values that say the carrier has the parcel: a pending or open
# fulfillment whose carrier reports one of these has shipped, whatever the service says.
# (``confirmed`` is the carrier knowing of it, ``label_*`` a label: not shipped.)
CARRIER_HAS_IT = frozenset(
    {
        "in_transit",
        "out_for_delivery",
        "attempted_delivery",
        "ready_for_pickup",
        "picked_up",
        "delivered",
    }
)

_PROBLEM_OF: dict[Milestone, DeliveryProblem] = {
    Milestone.DELAYED: DeliveryProblem.DELAYED,
    Milestone.DELIVERY_ATTEMPTED: DeliveryProblem.DELIVERY_ATTEMPTED,
}
# An order placed at a shop's till: without a contact it is a walk-in sale, not a failure.
POINT_OF_SALE = "pos"
_DETAIL_MAX = 500

CustomerLookup = Callable[[str], Customer | None]


class ShopifyAccount(BaseModel):
    """One shop, from configuration."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    shop: str = Field(min_length=1, max_length=255)  # e.g. ``example.myshopify.com``
    merchant: str = Field(min_length=1, max_length=100)  # selects the template overrides
    locale: str = "en"  # when the order has no ``customer_locale``
    time_zone: str = "UTC"
    # Which milestones the shop uses, its phone rules: [[validation]] (intake/validation.py).
    event_statuses: dict[str, Milestone] = Field(
        default_factory=lambda: dict(DEFAULT_EVENT_STATUSES)
    )

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        return known_time_zone(value)

    @field_validator("event_statuses")
    @classmethod
    def _order_milestones_only(cls, value: dict[str, Milestone]) -> dict[str, Milestone]:
        others = sorted(m.value for m in value.values() if m not in MILESTONES_BY_KIND[Kind.ORDER])
        if others:
            raise ValueError(f"not order milestones: {', '.join(others)}")
        return value

    @field_validator("shop")
    @classmethod
    def _lower_case_domain(cls, value: str) -> str:
        return value.strip().lower()


def verify_hmac(raw_body: bytes, header: str | None, secrets: Sequence[str]) -> bool:
    """Whether ``X-Shopify-Hmac-Sha256`` is base64(HMAC-SHA256(secret, raw body)).

    Any of ``secrets`` may match, so a rotated secret and its successor both pass while
    Shopify switches. Compared in constant time, over the bytes as received (a re-encoded
    body would not match).
    """
    if not header:
        return False
    try:
        given = base64.b64decode(header.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    matched = False
    for secret in secrets:
        if not secret:
            continue
        expected = hmac.new(secret.encode(), raw_body, hashlib.sha256).digest()
        # No early exit: the time taken does not say which secret matched.
        matched |= hmac.compare_digest(expected, given)
    return matched


@dataclass(frozen=True)
class _Read:
    """What a payload says, before the customer is known."""

    reference: str
    milestone: Milestone
    occurred_at: datetime
    customer: Customer | None
    repeat_key: str | None = None  # for repeatable milestones: the day (tracking.run_key)
    shipment: Shipment | None = None
    detail: str | None = None


def map_webhook(
    topic: str,
    shop: str,
    payload: Mapping[str, Any],
    *,
    account: ShopifyAccount,
    customer_of: CustomerLookup | None = None,
    rules: Rules = DEFAULT_RULES,
) -> Mapped:
    """One webhook's milestone event, nothing (``ignored`` says why), or :class:`IntakeRefused`.

    ``rules`` are the shop's (intake/validation.py): its default region reads a local phone
    when the address names no country, and a milestone it does not use is ignored before
    any customer is looked for. The route applies the rest to the event.

    ``customer_of(order_id)`` finds the customer of an order whose payload names none (a
    fulfillment event carries no customer); its own errors propagate, so a store outage is
    retried rather than dead-lettered.
    """
    if shop.strip().lower() != account.shop:
        raise IntakeRefused(f"webhook from shop {shop!r} mapped with account {account.shop!r}")
    if topic not in TOPICS:
        return Mapped(ignored=f"topic {topic!r} is not mapped")
    if not isinstance(payload, Mapping):
        raise IntakeRefused(f"{topic} payload is not a JSON object")
    try:
        read = _read(topic, payload, account, rules)
    except IntakeRefused:
        raise
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        # A shape no check above foresaw: kept as a dead letter to replay after a fix.
        raise IntakeRefused(f"{topic} payload could not be read: {exc}") from exc
    if isinstance(read, str):
        return Mapped(ignored=read)
    if not rules.uses(read.milestone):
        return Mapped(ignored=f"account {account.shop} does not use {read.milestone.value}")
    # An order names its customer; for a shipment the customer kept from the order is
    # fuller (a fulfillment's destination has a phone at most), so it is asked first.
    customer = read.customer if topic == TOPIC_ORDER_CREATED else None
    if customer is None and customer_of is not None:
        customer = customer_of(read.reference)
    customer = customer or read.customer
    if customer is None:
        raise IntakeRefused(
            f"{topic} for order {read.reference}: no customer with a valid phone or e-mail",
            priority_of(read.milestone),
        )
    try:
        event = MilestoneEvent(
            event_id=_event_id(read),
            kind=Kind.ORDER,
            reference=read.reference,
            milestone=read.milestone,
            occurred_at=read.occurred_at,
            customer=customer,
            shipment=read.shipment,
            merchant=account.merchant,
            detail=read.detail,
            problem=_PROBLEM_OF.get(read.milestone),
        )
    except ValidationError as exc:
        raise IntakeRefused(
            f"{topic} for order {read.reference} is no valid milestone event: {exc}",
            priority_of(read.milestone),
        ) from exc
    return Mapped(events=[event])


def _event_id(read: _Read) -> str:
    # From the order and the milestone, never from the webhook or the source: Shopify's
    # fulfillment event and a carrier tracker reporting the same delivery must make one
    # milestone (the workflow deduplicates by event id), and a redelivered webhook too.
    # Only a repeatable milestone adds the day of the problem (tracking.run_key): a delay
    # on a later day is news, the same delay from another source is not.
    base = f"{read.reference}:{read.milestone.value}"
    return f"{base}:{read.repeat_key}" if read.repeat_key else base


def _read(
    topic: str, payload: Mapping[str, Any], account: ShopifyAccount, rules: Rules
) -> _Read | str:
    """The payload's facts, or why it tells no milestone."""
    if topic == TOPIC_ORDER_CREATED:
        return _read_order(payload, account, rules)
    if topic in FULFILLMENT_TOPICS:
        return _read_fulfillment(payload, account, rules)
    return _read_fulfillment_event(payload, account)


def _read_order(order: Mapping[str, Any], account: ShopifyAccount, rules: Rules) -> _Read | str:
    milestone = Milestone.CONFIRMED
    reference = _id(order, "id", milestone)
    customer = _customer_of_order(order, account, rules)
    if customer is None and _text(order, "source_name") == POINT_OF_SALE:
        return f"point-of-sale order {reference} with no contact: a walk-in sale"
    return _Read(
        reference=reference,
        milestone=milestone,
        occurred_at=_moment(order, ("created_at",), milestone),
        customer=customer,
    )


def _read_fulfillment(
    fulfillment: Mapping[str, Any], account: ShopifyAccount, rules: Rules
) -> _Read | str:
    milestone = Milestone.SHIPPED
    reference = _id(fulfillment, "order_id", milestone)
    state = (_text(fulfillment, "status") or "").lower()  # GraphQL writes them in capitals
    if state in UNSHIPPED_FULFILLMENT_STATES:
        return f"fulfillment of order {reference} is {state}"
    if state in NOT_YET_SHIPPED_FULFILLMENT_STATES:
        if (_text(fulfillment, "shipment_status") or "").lower() not in CARRIER_HAS_IT:
            return f"fulfillment of order {reference} is {state}: not shipped yet"
    elif state != SHIPPED_FULFILLMENT_STATE:
        # Not a state Shopify documents: kept to look at rather than told or dropped.
        raise IntakeRefused(
            f"fulfillment of order {reference} has status {state!r}, not one Shopify "
            "documents (pending, open, success, cancelled, error, failure)",
            priority_of(milestone),
        )
    destination = _mapping(fulfillment, "destination")
    return _Read(
        reference=reference,
        milestone=milestone,
        occurred_at=_moment(fulfillment, ("created_at", "updated_at"), milestone),
        customer=_customer(
            name=_name(destination),
            phones=[_text(destination, "phone")],
            emails=[_text(fulfillment, "email")],
            regions=[_text(destination, "country_code"), rules.default_region],
            locale=account.locale,
            account=account,
        ),
        shipment=Shipment(
            carrier=_text(fulfillment, "tracking_company"),
            tracking_id=_first(fulfillment, "tracking_number", "tracking_numbers"),
            tracking_url=_first(fulfillment, "tracking_url", "tracking_urls"),
        ),
    )


def _read_fulfillment_event(event: Mapping[str, Any], account: ShopifyAccount) -> _Read | str:
    status = _text(event, "status")
    milestone = account.event_statuses.get(status or "")
    if milestone is None:
        return f"fulfillment event status {status!r} is not mapped"
    reference = _id(event, "order_id", milestone)
    happened = _moment(event, ("happened_at", "created_at"), milestone)
    # The problem's day, as the carrier trackers name it: one delay, one milestone.
    repeat_key = run_key(happened) if milestone in REPEATABLE_MILESTONES else None
    estimated = _optional_moment(event, "estimated_delivery_at")
    message = _text(event, "message")
    return _Read(
        reference=reference,
        milestone=milestone,
        occurred_at=happened,
        customer=None,  # a fulfillment event names no customer: customer_of finds it
        repeat_key=repeat_key,
        shipment=Shipment(estimated_arrival=estimated) if estimated else None,
        detail=message[:_DETAIL_MAX] if message else None,
    )


def _customer_of_order(
    order: Mapping[str, Any], account: ShopifyAccount, rules: Rules
) -> Customer | None:
    buyer = _mapping(order, "customer")
    address = _mapping(order, "shipping_address")
    billing = _mapping(order, "billing_address")
    return _customer(
        name=_name(buyer) or _name(address) or _name(billing),
        # The checkout's own contact first: it is what the shopper typed for this order. A
        # billing address has one when nothing ships; local delivery asks for one on the
        # shipping line.
        phones=[
            _text(order, "phone"),
            _text(buyer, "phone"),
            _text(address, "phone"),
            _text(billing, "phone"),
            *_shipping_line_phones(order),
        ],
        emails=[_text(order, "email"), _text(order, "contact_email"), _text(buyer, "email")],
        regions=[
            _text(address, "country_code"),
            _text(billing, "country_code"),
            rules.default_region,
        ],
        locale=_text(order, "customer_locale") or account.locale,
        account=account,
    )


def _shipping_line_phones(order: Mapping[str, Any]) -> list[str | None]:
    lines = order.get("shipping_lines")
    if not isinstance(lines, list):
        return []
    return [_text(line, "phone") for line in lines if isinstance(line, Mapping)]


def _customer(
    *,
    name: str | None,
    phones: list[str | None],
    emails: list[str | None],
    regions: list[str | None],
    locale: str,
    account: ShopifyAccount,
) -> Customer | None:
    """The first usable phone and e-mail; a bad one is dropped, not the customer."""
    phone = next((p for p in (read_phone(raw, regions) for raw in phones if raw) if p), None)
    email = next((e for e in emails if e and valid_email(e)), None)
    if not (phone or email):
        return None
    return Customer(
        name=(name or NAMELESS_CUSTOMER)[:200],
        phone=phone,
        email=email,
        locale=locale,
        time_zone=account.time_zone,
    )


def _name(person: Mapping[str, Any]) -> str | None:
    first, last = _text(person, "first_name"), _text(person, "last_name")
    return first or last


def _id(payload: Mapping[str, Any], key: str, milestone: Milestone) -> str:
    """Shopify's numeric id (JSON number, or digits in a string)."""
    value = payload.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return str(value)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return value
    raise IntakeRefused(f"payload has no valid {key!r} (got {value!r:.40})", priority_of(milestone))


def _moment(payload: Mapping[str, Any], keys: tuple[str, ...], milestone: Milestone) -> datetime:
    """The first of ``keys`` holding a valid time."""
    for key in keys:
        moment = _optional_moment(payload, key)
        if moment is not None:
            return moment
    raise IntakeRefused(f"payload has no valid time in {', '.join(keys)}", priority_of(milestone))


def _optional_moment(payload: Mapping[str, Any], key: str) -> datetime | None:
    """An ISO 8601 time with its offset (Shopify's form); a time without one is no time."""
    text = _text(payload, key)
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _text(payload: Mapping[str, Any], key: str) -> str | None:
    value = payload.get(key)
    return value.strip() or None if isinstance(value, str) else None


def _mapping(payload: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = payload.get(key)
    return value if isinstance(value, Mapping) else {}


def _first(payload: Mapping[str, Any], key: str, plural: str) -> str | None:
    """``tracking_number``, else the first of ``tracking_numbers``."""
    single = _text(payload, key)
    if single:
        return single
    many = payload.get(plural)
    if isinstance(many, list):
        return next((v.strip() for v in many if isinstance(v, str) and v.strip()), None)
    return None
