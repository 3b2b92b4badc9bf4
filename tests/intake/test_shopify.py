"""Shopify webhooks: the signature check and the mapping to milestone events."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.events import Customer, DeliveryProblem, MilestoneEvent
from domain.milestones import Milestone
from intake.source import PRIORITY_CRITICAL, PRIORITY_LOW, PRIORITY_NORMAL, IntakeRefused
from intake.sources.shopify import (
    DEFAULT_EVENT_STATUSES,
    ShopifyAccount,
    map_webhook,
    verify_hmac,
)
from intake.validation import Rules

PAYLOADS = Path(__file__).parent / "payloads" / "shopify"
SHOP = "scarves-and-co.myshopify.com"
ACCOUNT = ShopifyAccount(shop=SHOP, merchant="scarves", time_zone="America/New_York")
KNOWN = Customer(name="Ana", phone="+14155550123", email="ana.lopez@example.com")
TOPIC_OF_PREFIX = {
    "orders_create": "orders/create",
    "fulfillments_create": "fulfillments/create",
    "fulfillment_events_create": "fulfillment_events/create",
}


def load(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def known(order_id: str) -> Customer | None:
    return KNOWN


def nobody(order_id: str) -> Customer | None:
    return None


def sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def only_event(topic: str, payload: dict[str, Any], **kwargs: Any) -> MilestoneEvent:
    mapped = map_webhook(topic, SHOP, payload, account=kwargs.pop("account", ACCOUNT), **kwargs)
    assert mapped.ignored is None
    assert len(mapped.events) == 1
    return mapped.events[0]


# --- signature ---------------------------------------------------------------------------

BODY = b'{"id":5610000001001,"name":"#1001"}'


def test_right_secret_passes() -> None:
    assert verify_hmac(BODY, sign(BODY, "s3cret"), ["s3cret"])


def test_wrong_secret_or_altered_body_fails() -> None:
    assert not verify_hmac(BODY, sign(BODY, "other"), ["s3cret"])
    assert not verify_hmac(BODY + b" ", sign(BODY, "s3cret"), ["s3cret"])


@pytest.mark.parametrize("header", [None, "", "not base64!", "aGVsbG8="])
def test_missing_or_garbled_header_fails(header: str | None) -> None:
    assert not verify_hmac(BODY, header, ["s3cret"])


def test_any_secret_of_a_rotation_passes() -> None:
    assert verify_hmac(BODY, sign(BODY, "old"), ["new", "old"])
    assert verify_hmac(BODY, sign(BODY, "new"), ["new", "old"])
    assert not verify_hmac(BODY, sign(BODY, "older"), ["new", "old"])


def test_no_secret_configured_fails() -> None:
    assert not verify_hmac(BODY, sign(BODY, ""), [])
    assert not verify_hmac(BODY, sign(BODY, ""), [""])


# --- orders/create -------------------------------------------------------------------------


def test_order_is_confirmed_with_local_phone_read_in_its_country() -> None:
    event = only_event("orders/create", load("orders_create_us_local_phone"))
    assert event.milestone is Milestone.CONFIRMED
    assert event.reference == "5610000001001"
    assert event.customer.phone == "+14155550123"  # "(415) 555-0123", country_code US
    assert event.customer.email == "ana.lopez@example.com"
    assert event.customer.name == "Ana"
    assert event.customer.locale == "en-US"
    assert event.customer.time_zone == "America/New_York"
    assert event.merchant == "scarves"
    assert event.occurred_at.isoformat() == "2026-12-01T10:15:02-05:00"


def test_order_without_phone_goes_through_by_email() -> None:
    event = only_event("orders/create", load("orders_create_guest_email_only"))
    assert event.customer.phone is None
    assert event.customer.email == "jonas.weber@example.de"
    assert event.customer.name == "Jonas"  # from the shipping address: a guest checkout


def test_order_without_email_goes_through_by_sms() -> None:
    event = only_event("orders/create", load("orders_create_de_sms_only"))
    assert event.customer.email is None
    assert event.customer.phone == "+4930901820"


def test_invalid_email_is_dropped_not_the_customer() -> None:
    payload = load("orders_create_us_local_phone")
    payload["email"] = payload["contact_email"] = "not-an-address"
    payload["customer"]["email"] = None
    event = only_event("orders/create", payload)
    assert event.customer.email is None
    assert event.customer.phone == "+14155550123"


def test_local_phone_uses_account_region_without_country_code() -> None:
    payload = load("orders_create_de_sms_only")
    del payload["shipping_address"]["country_code"]
    del payload["billing_address"]["country_code"]
    with pytest.raises(IntakeRefused):  # "030 901820" means nothing without a country
        map_webhook("orders/create", SHOP, payload, account=ACCOUNT)
    rules = Rules(default_region="DE")
    assert only_event("orders/create", payload, rules=rules).customer.phone == "+4930901820"


def no_phone_order() -> dict[str, Any]:
    """The documented US order with no phone anywhere and no e-mail."""
    payload = load("orders_create_us_local_phone")
    payload["email"] = payload["contact_email"] = payload["customer"]["email"] = None
    payload["shipping_address"]["phone"] = payload["billing_address"]["phone"] = None
    return payload


def test_phone_on_the_billing_address_only_is_used() -> None:
    payload = no_phone_order()
    payload["billing_address"]["phone"] = "415.555.0123"
    assert only_event("orders/create", payload).customer.phone == "+14155550123"


def test_local_delivery_phone_on_the_shipping_line_is_used_last() -> None:
    payload = no_phone_order()
    payload["shipping_lines"][0]["phone"] = "+14155550199"
    assert only_event("orders/create", payload).customer.phone == "+14155550199"
    payload["shipping_address"]["phone"] = "(415) 555-0123"  # the address's comes first
    assert only_event("orders/create", payload).customer.phone == "+14155550123"


def test_local_phone_invalid_in_the_shipping_country_is_read_in_the_billing_country() -> None:
    payload = no_phone_order()
    payload["shipping_address"]["country_code"] = "FR"  # a gift to France
    payload["billing_address"]["country_code"] = "GB"
    payload["shipping_address"]["phone"] = "07400 123456"  # the UK buyer's own mobile
    assert only_event("orders/create", payload).customer.phone == "+447400123456"
    payload["billing_address"]["country_code"] = "FR"
    with pytest.raises(IntakeRefused):  # no country reads it: dropped, and nobody is left
        map_webhook("orders/create", SHOP, payload, account=ACCOUNT)


def test_point_of_sale_order_with_no_contact_is_ignored_not_refused() -> None:
    payload = no_phone_order()
    payload["source_name"] = "pos"
    mapped = map_webhook("orders/create", SHOP, payload, account=ACCOUNT)
    assert mapped.events == [] and mapped.ignored is not None
    assert "walk-in" in mapped.ignored
    payload["email"] = "walkin@example.com"  # a receipt by e-mail: notified
    assert only_event("orders/create", payload).customer.email == "walkin@example.com"
    payload["email"], payload["source_name"] = None, "web"  # online: a failure
    with pytest.raises(IntakeRefused):
        map_webhook("orders/create", SHOP, payload, account=ACCOUNT)


def test_order_with_nobody_reachable_is_refused_with_priority() -> None:
    payload = load("orders_create_guest_email_only")
    payload["email"] = payload["contact_email"] = None
    with pytest.raises(IntakeRefused) as refused:
        map_webhook("orders/create", SHOP, payload, account=ACCOUNT)
    assert "no customer" in refused.value.reason
    assert "5610000001002" in refused.value.reason
    assert refused.value.priority == PRIORITY_NORMAL


# --- fulfillments/create -------------------------------------------------------------------


def test_fulfillment_is_shipped_with_tracking() -> None:
    event = only_event("fulfillments/create", load("fulfillments_create_ups"), customer_of=known)
    assert event.milestone is Milestone.SHIPPED
    assert event.reference == "5610000001001"
    assert event.customer == KNOWN
    assert event.shipment is not None
    assert event.shipment.carrier == "UPS"
    assert event.shipment.tracking_id == "1Z999AA10123456784"
    assert event.shipment.tracking_url is not None
    assert event.shipment.tracking_url.startswith("https://www.ups.com/")


def test_fulfillment_reads_tracking_lists() -> None:
    payload = load("fulfillments_create_tracking_lists")
    event = only_event("fulfillments/create", payload, customer_of=known)
    assert event.shipment is not None
    assert event.shipment.tracking_id == "JD014600006281230704"
    assert event.shipment.tracking_url is not None


def test_fulfillment_falls_back_to_its_destination_phone() -> None:
    event = only_event("fulfillments/create", load("fulfillments_create_ups"), customer_of=nobody)
    assert event.customer.phone == "+14155550123"
    assert event.customer.email is None


def test_fulfillment_with_no_one_to_tell_is_refused() -> None:
    payload = load("fulfillments_create_tracking_lists")  # no destination
    with pytest.raises(IntakeRefused) as refused:
        map_webhook("fulfillments/create", SHOP, payload, account=ACCOUNT, customer_of=nobody)
    assert refused.value.priority == PRIORITY_NORMAL


def test_cancelled_fulfillment_is_ignored() -> None:
    payload = load("fulfillments_create_ups") | {"status": "cancelled"}
    mapped = map_webhook("fulfillments/create", SHOP, payload, account=ACCOUNT, customer_of=known)
    assert mapped.events == []
    assert mapped.ignored is not None


@pytest.mark.parametrize(
    ("status", "shipment_status", "shipped"),
    [
        ("success", None, True),
        ("SUCCESS", None, True),  # as GraphQL writes it
        ("success", "label_printed", True),  # Shopify says done: the carrier's scan is late
        ("pending", None, False),  # a label and its tracking number, nothing handed over
        ("open", None, False),
        ("pending", "label_printed", False),
        ("open", "label_purchased", False),
        ("open", "confirmed", False),  # the carrier knows of it, does not hold it
        ("open", "in_transit", True),  # the carrier holds it: shipped, whatever the service says
        ("pending", "picked_up", True),
        ("open", "ready_for_pickup", True),
        ("pending", "out_for_delivery", True),
        ("open", "delivered", True),
        ("cancelled", "in_transit", False),  # cancelled: never tells "shipped"
        ("error", None, False),
        ("failure", None, False),
    ],
)
@pytest.mark.parametrize("topic", ["fulfillments/create", "fulfillments/update"])
def test_only_a_fulfillment_that_left_says_shipped(
    topic: str, status: str, shipment_status: str | None, shipped: bool
) -> None:
    payload = load("fulfillments_create_ups") | {
        "status": status,
        "shipment_status": shipment_status,
    }
    mapped = map_webhook(topic, SHOP, payload, account=ACCOUNT, customer_of=known)
    if shipped:
        [event] = mapped.events
        assert (event.milestone, event.event_id) == (Milestone.SHIPPED, "5610000001001:shipped")
    else:
        assert mapped.events == [] and mapped.ignored is not None
        assert mapped.ignored.startswith(f"fulfillment of order 5610000001001 is {status}")
        assert status != "pending" or "not shipped yet" in mapped.ignored


@pytest.mark.parametrize("status", [None, "", "on_hold"])
def test_a_fulfillment_status_shopify_does_not_document_is_kept_to_look_at(
    status: str | None,
) -> None:
    payload = load("fulfillments_create_ups") | {"status": status}
    with pytest.raises(IntakeRefused, match="not one Shopify documents") as refused:
        map_webhook("fulfillments/create", SHOP, payload, account=ACCOUNT, customer_of=known)
    assert refused.value.priority == PRIORITY_NORMAL


# --- fulfillment_events/create -----------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "milestone", "problem"),
    [
        ("in_transit", Milestone.SHIPPED, None),
        ("out_for_delivery", Milestone.OUT_FOR_DELIVERY, None),
        ("attempted_delivery", Milestone.DELIVERY_ATTEMPTED, DeliveryProblem.DELIVERY_ATTEMPTED),
        ("delayed", Milestone.DELAYED, DeliveryProblem.DELAYED),
        ("delivered", Milestone.DELIVERED, None),
        ("failure", Milestone.EXCEPTION, None),
    ],
)
def test_each_fulfillment_event_status(
    status: str, milestone: Milestone, problem: DeliveryProblem | None
) -> None:
    payload = load(f"fulfillment_events_create_{status}")
    event = only_event("fulfillment_events/create", payload, customer_of=known)
    assert event.milestone is milestone
    assert event.problem is problem
    assert event.reference == "5610000001001"
    assert event.customer == KNOWN
    assert event.detail == payload["message"]


def test_delay_carries_the_new_estimate() -> None:
    payload = load("fulfillment_events_create_delayed")
    event = only_event("fulfillment_events/create", payload, customer_of=known)
    assert event.shipment is not None
    assert event.shipment.estimated_arrival is not None
    assert event.shipment.estimated_arrival.isoformat() == "2026-12-05T20:00:00-05:00"


def test_unknown_status_is_ignored() -> None:
    payload = load("fulfillment_events_create_label_printed")
    mapped = map_webhook("fulfillment_events/create", SHOP, payload, account=ACCOUNT)
    assert mapped.events == []
    assert mapped.ignored is not None
    assert "label_printed" in mapped.ignored


def test_status_table_is_overridable() -> None:
    account = ACCOUNT.model_copy(
        update={"event_statuses": DEFAULT_EVENT_STATUSES | {"label_printed": Milestone.SHIPPED}}
    )
    payload = load("fulfillment_events_create_label_printed")
    event = only_event("fulfillment_events/create", payload, account=account, customer_of=known)
    assert event.milestone is Milestone.SHIPPED


def test_event_without_customer_is_refused_critical_first() -> None:
    payload = load("fulfillment_events_create_failure")
    with pytest.raises(IntakeRefused) as refused:
        map_webhook("fulfillment_events/create", SHOP, payload, account=ACCOUNT)
    assert refused.value.priority == PRIORITY_CRITICAL
    assert "no customer" in refused.value.reason


# --- event ids -----------------------------------------------------------------------------


def test_event_id_is_the_order_and_milestone_not_the_webhook() -> None:
    shipped = only_event("fulfillments/create", load("fulfillments_create_ups"), customer_of=known)
    in_transit = only_event(
        "fulfillment_events/create",
        load("fulfillment_events_create_in_transit"),
        customer_of=known,
    )
    assert shipped.event_id == in_transit.event_id == "5610000001001:shipped"
    delivered = load("fulfillment_events_create_delivered")
    again = delivered | {"id": delivered["id"] + 1}
    assert (
        only_event("fulfillment_events/create", delivered, customer_of=known).event_id
        == only_event("fulfillment_events/create", again, customer_of=known).event_id
    )


def test_a_delay_is_named_by_its_day_so_a_later_one_is_news_and_a_repeat_is_not() -> None:
    first = load("fulfillment_events_create_delayed")
    happened = datetime.fromisoformat(first["happened_at"])
    same_day = first | {"id": first["id"] + 100}  # the carrier's second scan of one delay
    next_day = first | {
        "id": first["id"] + 200,
        "happened_at": (happened + timedelta(days=1)).isoformat(),
    }

    def event_id(payload: dict[str, Any]) -> str:
        return only_event("fulfillment_events/create", payload, customer_of=known).event_id

    assert (
        event_id(first)
        == event_id(same_day)
        == f"{first['order_id']}:delayed:" + (happened.astimezone(UTC).strftime("%Y%m%d"))
    )
    assert event_id(next_day) != event_id(first)


def test_a_delay_without_its_event_id_still_reaches_the_customer() -> None:
    payload = _without(load("fulfillment_events_create_delayed"), "id")
    assert only_event("fulfillment_events/create", payload, customer_of=known).problem


# --- account configuration -----------------------------------------------------------------


def test_milestone_the_account_does_not_use_is_ignored_before_the_customer_is_sought() -> None:
    rules = Rules(milestones=frozenset({Milestone.SHIPPED, Milestone.DELIVERED}))
    payload = load("fulfillment_events_create_out_for_delivery")
    mapped = map_webhook(
        "fulfillment_events/create", SHOP, payload, account=ACCOUNT, customer_of=nobody, rules=rules
    )
    assert mapped.events == []
    assert mapped.ignored is not None
    assert "out_for_delivery" in mapped.ignored


def test_account_accepts_only_order_milestones() -> None:
    with pytest.raises(ValueError, match="refund_processed"):
        ShopifyAccount(
            shop=SHOP, merchant="m", event_statuses={"failure": Milestone.REFUND_PROCESSED}
        )
    with pytest.raises(ValueError, match="time zone"):
        ShopifyAccount(shop=SHOP, merchant="m", time_zone="Mars/Olympus")


def test_webhook_of_another_shop_is_refused() -> None:
    with pytest.raises(IntakeRefused, match="other-shop"):
        map_webhook(
            "orders/create",
            "other-shop.myshopify.com",
            load("orders_create_us_local_phone"),
            account=ACCOUNT,
        )


def test_unmapped_topic_is_ignored() -> None:
    mapped = map_webhook("products/update", SHOP, {"id": 1}, account=ACCOUNT)
    assert mapped.events == []
    assert mapped.ignored is not None


# --- malformed payloads --------------------------------------------------------------------


def _without(payload: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k != key}


MALFORMED = [
    ("orders/create", _without(load("orders_create_us_local_phone"), "id")),
    ("orders/create", load("orders_create_us_local_phone") | {"id": "#1001"}),
    ("orders/create", load("orders_create_us_local_phone") | {"id": True}),
    ("orders/create", load("orders_create_us_local_phone") | {"id": -4}),
    ("orders/create", load("orders_create_us_local_phone") | {"created_at": "yesterday"}),
    ("orders/create", load("orders_create_us_local_phone") | {"created_at": "2026-12-01T10:15"}),
    ("orders/create", {}),
    ("orders/create", []),
    ("orders/create", "not an object"),
    ("fulfillments/create", load("fulfillments_create_ups") | {"order_id": {"id": 1}}),
    (
        "fulfillments/create",
        load("fulfillments_create_ups") | {"created_at": None, "updated_at": 0},
    ),
    ("fulfillment_events/create", load("fulfillment_events_create_delivered") | {"order_id": 1.5}),
    (
        "fulfillment_events/create",
        load("fulfillment_events_create_delivered") | {"happened_at": 3, "created_at": None},
    ),
]


@pytest.mark.parametrize(("topic", "payload"), MALFORMED)
def test_malformed_payload_is_refused_never_a_crash(topic: str, payload: Any) -> None:
    with pytest.raises(IntakeRefused) as refused:
        map_webhook(topic, SHOP, payload, account=ACCOUNT, customer_of=known)
    assert refused.value.reason
    assert refused.value.priority in (PRIORITY_LOW, PRIORITY_NORMAL, PRIORITY_CRITICAL)


def test_contacts_of_wrong_types_are_no_contacts() -> None:
    payload = load("orders_create_us_local_phone") | {
        "customer": [1],
        "email": 7,
        "contact_email": None,
        "shipping_address": "x",
        "billing_address": None,
    }
    with pytest.raises(IntakeRefused, match="no customer"):
        map_webhook("orders/create", SHOP, payload, account=ACCOUNT, customer_of=nobody)


def test_wrong_types_in_optional_fields_are_skipped() -> None:
    payload = load("fulfillment_events_create_delayed") | {
        "message": 42,
        "estimated_delivery_at": ["soon"],
    }
    event = only_event("fulfillment_events/create", payload, customer_of=known)
    assert event.detail is None
    assert event.shipment is None


def test_overlong_message_is_cut_to_the_detail_limit() -> None:
    payload = load("fulfillment_events_create_delayed") | {"message": "x" * 2000}
    event = only_event("fulfillment_events/create", payload, customer_of=known)
    assert event.detail is not None
    assert len(event.detail) == 500


# --- corpus ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(PAYLOADS.glob("*.json")), ids=lambda p: p.stem)
def test_every_realistic_payload_maps(path: Path) -> None:
    topic = next(t for prefix, t in TOPIC_OF_PREFIX.items() if path.stem.startswith(prefix))
    mapped = map_webhook(
        topic, SHOP, json.loads(path.read_text()), account=ACCOUNT, customer_of=known
    )
    assert mapped.events or mapped.ignored


def test_order_without_contacts_asks_the_lookup() -> None:
    payload = load("orders_create_guest_email_only") | {"email": None, "contact_email": None}
    event = only_event("orders/create", payload, customer_of=known)
    assert event.customer == KNOWN


def test_lookup_failure_propagates_to_be_retried() -> None:
    def store_down(order_id: str) -> Customer | None:
        raise ConnectionError("store unavailable")

    with pytest.raises(ConnectionError):
        map_webhook(
            "fulfillment_events/create",
            SHOP,
            load("fulfillment_events_create_delivered"),
            account=ACCOUNT,
            customer_of=store_down,
        )
