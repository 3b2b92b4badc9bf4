"""Shopify fulfillments/create (and /update) and fulfillment_events/create cases of the intake
corpus: the order's customer known or not, each fulfillment status (only a fulfillment that
left says shipped), every fulfillment event status."""

from __future__ import annotations

from typing import Any

from bench.intake_corpus_common import (
    DE,
    FR,
    SHOPS,
    US,
    Payload,
    add,
    customer,
    fixture,
    local_mobile,
    set_field,
)

# --- Shopify fulfillments/create ------------------------------------------------------------


def fulfillment(shop: str, *, n: int, **changes: Any) -> Payload:
    base = fixture("fulfillments_create_ups")
    base["id"] = 4810000003000 + n
    base["order_id"] = 5610000003000 + n
    base["destination"]["country_code"] = SHOPS[shop][0]
    base["destination"]["phone"] = None
    for key, value in changes.items():
        set_field(base, key, value)
    return base


def shopify_fulfillments() -> None:
    n = 0
    for shop in SHOPS:
        for phone, email, expect in (
            (True, True, "sms"),
            (False, True, "email"),
            (True, False, "sms"),
        ):
            n += 1
            add(
                "shopify",
                shop,
                "fulfillments/create",
                f"known-{expect}",
                expect,
                "shipped: the order's customer, kept from orders/create, is notified",
                fulfillment(shop, n=n),
                customer(shop, phone=phone, email=email),
            )
        n += 1
        add(
            "shopify",
            shop,
            "fulfillments/create",
            "destination-phone",
            "sms",
            "the order never reached Herald; the destination's phone, typed locally",
            fulfillment(shop, n=n, destination__phone=local_mobile(shop)),
        )
        n += 1
        add(
            "shopify",
            shop,
            "fulfillments/create",
            "fulfillment-email",
            "email",
            "the order never reached Herald; the fulfillment's e-mail",
            fulfillment(shop, n=n, email="ana@example.com"),
        )
        n += 1
        add(
            "shopify",
            shop,
            "fulfillments/create",
            "unknown-order-nobody",
            "refused",
            "the order never reached Herald and the fulfillment names no contact",
            fulfillment(shop, n=n),
        )
        for state in ("cancelled", "error", "failure"):
            n += 1
            add(
                "shopify",
                shop,
                "fulfillments/create",
                f"state-{state}",
                "ignored",
                f"a {state} fulfillment shipped nothing",
                fulfillment(shop, n=n, status=state),
                customer(shop),
            )
        n += 1
        add(
            "shopify",
            shop,
            "fulfillments/create",
            "no-tracking",
            "sms",
            "shipped without a tracking number (a letter post): still shipped",
            fulfillment(
                shop,
                n=n,
                tracking_company=None,
                tracking_number=None,
                tracking_numbers=[],
                tracking_url=None,
                tracking_urls=[],
            ),
            customer(shop),
        )
        n += 1
        add(
            "shopify",
            shop,
            "fulfillments/create",
            "tracking-lists-only",
            "sms",
            "tracking only in the plural lists, as newer API versions send it",
            fulfillment(shop, n=n, tracking_number=None, tracking_url=None),
            customer(shop),
        )
        n += 1
        add(
            "shopify",
            shop,
            "fulfillments/create",
            "no-destination",
            "sms",
            "a digital or picked-up fulfillment without destination, order known",
            fulfillment(shop, n=n, destination=None),
            customer(shop),
        )
    n += 1
    add(
        "shopify",
        US,
        "fulfillments/create",
        "no-order-id",
        "refused",
        "no order id: nothing to attach the shipment to",
        fulfillment(US, n=n, order_id=None),
        customer(US),
    )
    n += 1
    add(
        "shopify",
        US,
        "fulfillments/create",
        "updated-at-only",
        "sms",
        "created_at missing, updated_at present: that time is used",
        fulfillment(US, n=n, created_at=None),
        customer(US),
    )
    n += 1
    add(
        "shopify",
        DE,
        "fulfillments/create",
        "destination-landline",
        "refused",
        "the order never reached Herald; the destination has a landline the shop drops",
        fulfillment(DE, n=n, destination__phone="030 901820"),
    )
    shopify_fulfillment_states(n)


def shopify_fulfillment_states(n: int) -> None:
    """Shopify's Fulfillment ``status``: only ``success`` (or a carrier holding the parcel)
    has shipped; a label's tracking number is no shipment."""
    for shop, topic, name, expect, why, changes in (
        (
            US,
            "fulfillments/create",
            "state-pending",
            "ignored",
            "pending: the fulfillment service has not shipped it, though its label has a number",
            {"status": "pending"},
        ),
        (
            DE,
            "fulfillments/create",
            "state-open",
            "ignored",
            "open: the service is packing it; nothing has left",
            {"status": "open"},
        ),
        (
            FR,
            "fulfillments/create",
            "pending-label-printed",
            "ignored",
            "pending with a printed label: the carrier does not have it yet",
            {"status": "pending", "shipment_status": "label_printed"},
        ),
        (
            US,
            "fulfillments/create",
            "open-carrier-confirmed",
            "ignored",
            "open, the carrier told of it but not holding it (confirmed)",
            {"status": "open", "shipment_status": "confirmed"},
        ),
        (
            US,
            "fulfillments/create",
            "open-carrier-in-transit",
            "sms",
            "open, but the carrier scanned it in transit: it has shipped",
            {"status": "open", "shipment_status": "in_transit"},
        ),
        (
            DE,
            "fulfillments/update",
            "update-success",
            "sms",
            "the pending fulfillment's update to success: now it has shipped",
            {"status": "success"},
        ),
        (
            FR,
            "fulfillments/update",
            "update-still-open",
            "ignored",
            "an update of a fulfillment still open: nothing shipped yet",
            {"status": "open"},
        ),
        (
            US,
            "fulfillments/create",
            "state-undocumented",
            "refused",
            "a status Shopify does not document: shipped or not, nobody can tell; kept to look at",
            {"status": "on_hold"},
        ),
    ):
        n += 1
        add(
            "shopify",
            shop,
            topic,
            name,
            expect,
            why,
            fulfillment(shop, n=n, **changes),
            customer(shop),
        )


# --- Shopify fulfillment_events/create ------------------------------------------------------

MAPPED_STATUSES = (
    "in_transit",
    "out_for_delivery",
    "attempted_delivery",
    "delayed",
    "delivered",
    "failure",
)
UNMAPPED_STATUSES = (
    "label_printed",
    "label_purchased",
    "confirmed",
    "ready_for_pickup",
    "picked_up",
    "carrier_picked_up",
)
FR_UNUSED = ("out_for_delivery", "attempted_delivery")


def fulfillment_event(shop: str, *, n: int, status: str, **changes: Any) -> Payload:
    base = fixture("fulfillment_events_create_delayed")
    base["id"] = 3310000004000 + n
    base["order_id"] = 5610000004000 + n
    base["status"] = status
    for key, value in changes.items():
        set_field(base, key, value)
    return base


def shopify_fulfillment_events() -> None:
    n = 0
    for shop in SHOPS:
        for status in MAPPED_STATUSES:
            unused = shop == FR and status in FR_UNUSED
            n += 1
            add(
                "shopify",
                shop,
                "fulfillment_events/create",
                f"{status}-known",
                "ignored" if unused else "sms",
                "the shop does not use this milestone"
                if unused
                else f"{status}: the order's customer, known from orders/create",
                fulfillment_event(shop, n=n, status=status),
                customer(shop),
            )
            n += 1
            add(
                "shopify",
                shop,
                "fulfillment_events/create",
                f"{status}-unknown-order",
                "ignored" if unused else "refused",
                "the shop does not use this milestone (no customer needed)"
                if unused
                else "the order never reached Herald: nobody known to notify",
                fulfillment_event(shop, n=n, status=status),
            )
        for status in UNMAPPED_STATUSES:
            n += 1
            add(
                "shopify",
                shop,
                "fulfillment_events/create",
                f"{status}",
                "ignored",
                f"{status}: no milestone a customer is told of",
                fulfillment_event(shop, n=n, status=status),
                customer(shop),
            )
        n += 1
        add(
            "shopify",
            shop,
            "fulfillment_events/create",
            "email-only-customer",
            "email",
            "delivered; the order's customer has an e-mail only",
            fulfillment_event(shop, n=n, status="delivered"),
            customer(shop, phone=False),
        )
    n += 1
    add(
        "shopify",
        US,
        "fulfillment_events/create",
        "long-message",
        "sms",
        "a carrier message of 700 characters: cut, not refused",
        fulfillment_event(US, n=n, status="delayed", message="Weather delay. " * 47),
        customer(US),
    )
    n += 1
    add(
        "shopify",
        US,
        "fulfillment_events/create",
        "created-at-only",
        "sms",
        "happened_at missing, created_at present",
        fulfillment_event(US, n=n, status="delivered", happened_at=None),
        customer(US),
    )
    n += 1
    add(
        "shopify",
        US,
        "fulfillment_events/create",
        "no-time",
        "refused",
        "no time at all: the milestone cannot be placed",
        fulfillment_event(US, n=n, status="delivered", happened_at=None, created_at=None),
        customer(US),
    )
    n += 1
    add(
        "shopify",
        US,
        "fulfillment_events/create",
        "bad-estimate",
        "sms",
        "an estimated delivery that is no time: the estimate is left out",
        fulfillment_event(US, n=n, status="delayed", estimated_delivery_at="soon"),
        customer(US),
    )
    n += 1
    add(
        "shopify",
        US,
        "fulfillment_events/create",
        "no-order-id",
        "refused",
        "no order id",
        fulfillment_event(US, n=n, status="delivered", order_id=None),
        customer(US),
    )
    n += 1
    add(
        "shopify",
        US,
        "fulfillment_events/create",
        "no-status",
        "ignored",
        "no status: nothing it tells",
        fulfillment_event(US, n=n, status=None),
        customer(US),
    )
