"""The intake benchmark's order sources: each one a small generator of HTTP requests.

A source knows how its sender would tell Herald of a new order, of an order's next step,
of a carrier's status change, and what a payload Herald cannot notify looks like. It only
builds requests (:class:`Offer`); the load generator (bench/intake_load.py) sends them and
the verifier (bench/intake_verify.py) checks what reached each workflow. The carrier
trackers are in bench/intake_carriers.py; a new source is one more class and one more name
in bench/intake.py's ``SOURCES``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any, Protocol

from domain.milestones import Kind, workflow_id_for

PAYLOADS = Path(__file__).resolve().parent.parent / "tests/intake/payloads"  # the tests' corpus
SHOPIFY_PAYLOADS = PAYLOADS / "shopify"
SHOPIFY_SHOP = "herald-demo.myshopify.com"  # config/intake.toml's demo shop
SHOPIFY_SECRET = "bench-shopify-secret"
API_TOKEN = "bench-intake-token"
# One order's steps, after "confirmed"; "out_for_delivery" is the carrier's status change.
NEXT_STEP = {"confirmed": "shipped"}


@dataclass
class Order:
    """One order of the run: its own phone, so the sandbox's ``to`` names it."""

    reference: str  # digits: Shopify's order ids are numbers, and any source takes them
    phone: str
    email: str
    source: str
    # Milestones an acknowledged request carried to the intake, in order.
    milestones: list[str] = field(default_factory=list)
    # Requests for it that got no answer (a timeout): the intake may have kept them, so an
    # SMS for each is possible and no duplicate.
    unanswered: int = 0

    @property
    def workflow_id(self) -> str:
        return workflow_id_for(Kind.ORDER, self.reference)

    @property
    def tracking_code(self) -> str:
        """What its "shipped" names, and a carrier's tracker reports on."""
        return f"1ZB{self.reference}"


@dataclass(frozen=True)
class Offer:
    """One HTTP request and what it should do once acknowledged."""

    source: str
    path: str
    headers: dict[str, str]
    body: bytes
    kind: str  # event, redelivery, malformed, carrier
    order: Order | None = None
    milestone: str | None = None  # what the order's workflow must hear once


class Source(Protocol):
    """Any sender: it can send what nobody can be told of."""

    name: str

    def malformed(self, serial: int) -> Offer: ...


class OrderSource(Source, Protocol):
    """An order system: it starts orders and ships them (naming a tracking code)."""

    def new_order(self, order: Order) -> Offer: ...

    def next_step(self, order: Order, milestone: str) -> Offer: ...


class CarrierSource(Source, Protocol):
    """Reports a carrier's status change for an order that shipped (from any source)."""

    def out_for_delivery(self, order: Order) -> Offer: ...


def _shopify_payload(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SHOPIFY_PAYLOADS / f"{name}.json").read_text())
    return loaded


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


class GenericSource:
    """Herald's own milestone JSON at ``POST /intake/events``, with the bearer token."""

    name = "generic"

    def __init__(self, token: str = API_TOKEN) -> None:
        self._headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def _event(self, order: Order, milestone: str) -> Offer:
        body: dict[str, Any] = {
            "event_id": f"bench-{order.reference}-{milestone}",
            "kind": "order",
            "reference": order.reference,
            "milestone": milestone,
            "occurred_at": now_iso(),
            "customer": {
                "name": "Ana Souza",
                "phone": order.phone,
                "email": order.email,
                "locale": "en",
                "time_zone": "America/New_York",
            },
        }
        if milestone == "shipped":  # a carrier's tracker finds the order by this code
            body["shipment"] = {"carrier": "UPS", "tracking_id": order.tracking_code}
        return Offer(
            self.name,
            "/intake/events",
            self._headers,
            json.dumps(body).encode(),
            "event",
            order,
            milestone,
        )

    def new_order(self, order: Order) -> Offer:
        return self._event(order, "confirmed")

    def next_step(self, order: Order, milestone: str) -> Offer:
        return self._event(order, milestone)

    def malformed(self, serial: int) -> Offer:
        # No contact that works: nobody can be told, so a dead letter (422). Each one
        # differs, so each is its own letter rather than a count on the first.
        body = {
            "event_id": f"bench-bad-{serial}",
            "kind": "order",
            "reference": f"bad{serial}",
            "milestone": "shipped",
            "occurred_at": now_iso(),
            "customer": {"name": "Nobody", "phone": "not a phone", "email": "nor@mail"},
        }
        return Offer(
            self.name, "/intake/events", self._headers, json.dumps(body).encode(), "malformed"
        )


class ShopifySource:
    """Signed Shopify webhooks at ``POST /intake/shopify``: orders, fulfillments and
    fulfillment events, from the test corpus's payloads with this run's ids and phones."""

    name = "shopify"

    def __init__(self, secret: str = SHOPIFY_SECRET) -> None:
        self._secret = secret
        self._order = _shopify_payload("orders_create_us_local_phone")
        self._fulfillment = _shopify_payload("fulfillments_create_ups")
        self._event = _shopify_payload("fulfillment_events_create_out_for_delivery")
        self._ids = count(random.randint(10**12, 5 * 10**12))

    def _webhook(
        self, topic: str, payload: dict[str, Any], kind: str
    ) -> tuple[dict[str, str], bytes]:
        body = json.dumps(payload).encode()
        digest = hmac.new(self._secret.encode(), body, hashlib.sha256).digest()
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Shop-Domain": SHOPIFY_SHOP,
            "X-Shopify-Webhook-Id": f"bench-{kind}-{next(self._ids)}",
            "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
        }
        return headers, body

    def new_order(self, order: Order) -> Offer:
        payload = {
            **self._order,
            "id": int(order.reference),
            "phone": order.phone,
            "email": order.email,
            "contact_email": order.email,
            "created_at": now_iso(),
        }
        headers, body = self._webhook("orders/create", payload, "order")
        return Offer(self.name, "/intake/shopify", headers, body, "event", order, "confirmed")

    def next_step(self, order: Order, milestone: str) -> Offer:
        assert milestone == "shipped", milestone
        payload = {
            **self._fulfillment,
            "id": next(self._ids),
            "order_id": int(order.reference),
            "created_at": now_iso(),
            "tracking_number": order.tracking_code,
            "tracking_numbers": [order.tracking_code],
        }
        payload["destination"] = {**payload["destination"], "phone": order.phone}
        headers, body = self._webhook("fulfillments/create", payload, "fulfillment")
        return Offer(self.name, "/intake/shopify", headers, body, "event", order, milestone)

    def out_for_delivery(self, order: Order) -> Offer:
        payload = {
            **self._event,
            "id": next(self._ids),
            "order_id": int(order.reference),
            "happened_at": now_iso(),
            "created_at": now_iso(),
        }
        headers, body = self._webhook("fulfillment_events/create", payload, "event")
        return Offer(
            self.name, "/intake/shopify", headers, body, "carrier", order, "out_for_delivery"
        )

    def malformed(self, serial: int) -> Offer:
        # Signed, but no phone or e-mail anywhere: answered 200 (a retry cannot mend it)
        # and kept as a dead letter.
        payload = {
            **self._order,
            "id": next(self._ids),
            "phone": None,
            "email": None,
            "contact_email": None,
            "customer": {},
            "shipping_address": {**self._order["shipping_address"], "phone": None},
            "billing_address": {**self._order["billing_address"], "phone": None},
        }
        headers, body = self._webhook("orders/create", payload, "bad")
        return Offer(self.name, "/intake/shopify", headers, body, "malformed")
