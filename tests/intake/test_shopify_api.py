"""POST /intake/shopify: a signed webhook into the inbox, once however often Shopify
delivers it; a fulfillment event reaches the customer its order named; what cannot be
notified is a dead letter answered 200 (a retry could not repair it); a forged or unknown
shop's webhook is refused with nothing kept."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.intake import create_intake_router
from domain.events import MilestoneEvent
from store.repository import Store
from tests.helpers.temporal import settings_for_tests
from tests.intake.test_shopify import PAYLOADS, SHOP, sign

SECRET = "shpss_test_secret"


@pytest.fixture
def http(store: Store, tmp_path: Path) -> TestClient:
    config = tmp_path / "intake.toml"
    config.write_text(f'[[shopify]]\nshop = "{SHOP}"\nmerchant = "scarves"\n')
    settings = settings_for_tests(
        data_dir=tmp_path,
        api_tokens="t",
        intake_config_path=config,
        shopify_webhook_secrets=f"{SHOP}:old-secret,{SHOP}:{SECRET}",
    )
    app = FastAPI()
    app.include_router(create_intake_router(settings, store, client=None))  # type: ignore[arg-type]
    return TestClient(app)  # not entered: no dispatcher runs


def deliver(
    http: TestClient, topic: str, fixture: str, *, webhook_id: str = "w-1", secret: str = SECRET
) -> dict[str, object]:
    body = (PAYLOADS / f"{fixture}.json").read_bytes()
    answer = http.post(
        "/intake/shopify",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Shop-Domain": SHOP,
            "X-Shopify-Webhook-Id": webhook_id,
            "X-Shopify-Hmac-Sha256": sign(body, secret),
        },
    )
    return {"status": answer.status_code, **answer.json()}


def inbox_events(store: Store) -> list[MilestoneEvent]:
    due = store.intake_inbox.claim_due(datetime.now(UTC), 100, 30)
    return [MilestoneEvent.model_validate_json(row.event_json) for row in due]


def test_a_signed_order_is_kept_once_however_often_it_is_delivered(
    http: TestClient, store: Store
) -> None:
    first = deliver(http, "orders/create", "orders_create_us_local_phone")
    again = deliver(http, "orders/create", "orders_create_us_local_phone")  # redelivered
    assert first == {"status": 200, "accepted": 1, "duplicates": 0}
    assert again == {"status": 200, "accepted": 0, "duplicates": 1}
    [event] = inbox_events(store)
    assert event.milestone.value == "confirmed" and event.merchant == "scarves"


def test_a_fulfillment_event_reaches_the_customer_its_order_named(
    http: TestClient, store: Store
) -> None:
    deliver(http, "orders/create", "orders_create_us_local_phone", webhook_id="w-1")
    answer = deliver(
        http,
        "fulfillment_events/create",
        "fulfillment_events_create_out_for_delivery",
        webhook_id="w-2",
    )
    assert answer["accepted"] == 1
    order, out = inbox_events(store)
    assert out.milestone.value == "out_for_delivery" and out.customer == order.customer


def test_an_event_for_an_order_nobody_knows_is_a_dead_letter_answered_200(
    http: TestClient, store: Store
) -> None:
    answer = deliver(http, "fulfillment_events/create", "fulfillment_events_create_delayed")
    assert answer["status"] == 200 and "dead_letter" in answer
    [letter] = store.dead_letters.list(10)
    assert (letter.source, letter.account) == ("shopify", SHOP)
    assert store.intake_inbox.backlog() == 0


def test_a_forged_or_unknown_shops_webhook_is_refused_and_nothing_kept(
    http: TestClient, store: Store
) -> None:
    assert (
        deliver(http, "orders/create", "orders_create_us_local_phone", secret="x")["status"] == 401
    )
    body = (PAYLOADS / "orders_create_us_local_phone.json").read_bytes()
    stranger = http.post(
        "/intake/shopify",
        content=body,
        headers={
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Shop-Domain": "other.myshopify.com",
            "X-Shopify-Webhook-Id": "w-9",
            "X-Shopify-Hmac-Sha256": sign(body, SECRET),
        },
    )
    assert stranger.status_code == 401
    assert store.intake_inbox.backlog() == 0 and store.dead_letters.list(10) == []


def test_the_older_secret_still_verifies_during_a_rotation(http: TestClient) -> None:
    answer = deliver(http, "orders/create", "orders_create_us_local_phone", secret="old-secret")
    assert answer["status"] == 200 and answer["accepted"] == 1


def test_a_topic_herald_does_not_use_is_acknowledged_and_ignored(
    http: TestClient, store: Store
) -> None:
    answer = deliver(http, "orders/paid", "orders_create_us_local_phone")
    assert answer["status"] == 200 and answer["accepted"] == 0 and "ignored" in answer
    assert json.dumps(answer)  # a plain JSON answer


def test_a_pending_fulfillment_says_nothing_until_its_update_says_it_shipped(
    http: TestClient, store: Store
) -> None:
    fulfillment = json.loads((PAYLOADS / "fulfillments_create_ups.json").read_text())
    answer = http.post(
        "/intake/shopify",
        content=(pending := json.dumps(fulfillment | {"status": "pending"}).encode()),
        headers={
            "Content-Type": "application/json",
            "X-Shopify-Topic": "fulfillments/create",
            "X-Shopify-Shop-Domain": SHOP,
            "X-Shopify-Webhook-Id": "w-pending",
            "X-Shopify-Hmac-Sha256": sign(pending, SECRET),
        },
    ).json()
    assert answer["accepted"] == 0 and "not shipped yet" in answer["ignored"]
    assert store.intake_inbox.backlog() == 0 and store.dead_letters.list(10) == []
    # Its tracking code is not linked yet either: a carrier's report would wait for it.
    assert store.tracked_shipments.find("1Z999AA10123456784") is None
    shipped = json.dumps(fulfillment | {"status": "success"}).encode()
    answer = http.post(
        "/intake/shopify",
        content=shipped,
        headers={
            "Content-Type": "application/json",
            "X-Shopify-Topic": "fulfillments/update",
            "X-Shopify-Shop-Domain": SHOP,
            "X-Shopify-Webhook-Id": "w-shipped",
            "X-Shopify-Hmac-Sha256": sign(shipped, SECRET),
        },
    ).json()
    assert answer == {"accepted": 1, "duplicates": 0}
    [event] = inbox_events(store)
    assert (event.milestone.value, event.event_id) == ("shipped", "5610000001001:shipped")
    assert store.tracked_shipments.find("1Z999AA10123456784") is not None
