"""POST /intake/easypost: a signed tracker Event reaches the customer of the order a
Shopify fulfillment named its tracking code for, once however often EasyPost delivers it;
a forged one is refused with nothing kept; a tracking code nobody named is a dead letter
that a replay delivers, once, after the shipment became known; a full inbox is a 429."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.intake import create_intake_router
from domain.events import MilestoneEvent
from store.repository import Store
from tests.helpers.temporal import settings_for_tests
from tests.intake.test_easypost import PAYLOADS, sign
from tests.intake.test_shopify import PAYLOADS as SHOPIFY_PAYLOADS
from tests.intake.test_shopify import SHOP
from tests.intake.test_shopify import sign as shopify_sign

SECRET = "easypost-webhook-secret"
SHOPIFY_SECRET = "shpss_test_secret"
TOKEN = {"Authorization": "Bearer t"}
ORDER = "5610000001001"
UNKNOWN_CODE = "9400111899223197428490"


def service(store: Store, tmp_path: Path, **settings: Any) -> TestClient:
    config = tmp_path / "intake.toml"
    config.write_text(
        f'[[shopify]]\nshop = "{SHOP}"\nmerchant = "scarves"\n\n'
        '[[easypost]]\nname = "warehouse"\nmerchant = "scarves"\n\n'
        '[[easypost]]\nname = "returns-desk"\n'
    )
    configured = settings_for_tests(
        data_dir=tmp_path,
        api_tokens="t",
        intake_config_path=config,
        shopify_webhook_secrets=f"{SHOP}:{SHOPIFY_SECRET}",
        easypost_webhook_secrets=f"warehouse:retired-secret,warehouse:{SECRET}",
        **settings,
    )
    app = FastAPI()
    app.include_router(create_intake_router(configured, store, client=None))  # type: ignore[arg-type]
    return TestClient(app)  # not entered: no dispatcher runs


@pytest.fixture
def http(store: Store, tmp_path: Path) -> TestClient:
    return service(store, tmp_path)


def shopify(http: TestClient, topic: str, body: bytes, webhook_id: str) -> None:
    answer = http.post(
        "/intake/shopify",
        content=body,
        headers={
            "X-Shopify-Topic": topic,
            "X-Shopify-Shop-Domain": SHOP,
            "X-Shopify-Webhook-Id": webhook_id,
            "X-Shopify-Hmac-Sha256": shopify_sign(body, SHOPIFY_SECRET),
        },
    )
    assert answer.status_code == 200 and answer.json()["accepted"] == 1, answer.json()


def order_shipped(http: TestClient, tracking_number: str | None = None) -> None:
    """Shopify's order, then its fulfillment naming the tracking code."""
    order = (SHOPIFY_PAYLOADS / "orders_create_us_local_phone.json").read_bytes()
    shopify(http, "orders/create", order, "w-order")
    fulfillment = json.loads((SHOPIFY_PAYLOADS / "fulfillments_create_ups.json").read_text())
    if tracking_number:
        fulfillment["tracking_number"], fulfillment["tracking_numbers"] = tracking_number, []
    shopify(http, "fulfillments/create", json.dumps(fulfillment).encode(), "w-ship")


def deliver(
    http: TestClient,
    fixture: str | bytes,
    *,
    secret: str = SECRET,
    account: str | None = "warehouse",
) -> tuple[int, dict[str, Any]]:
    body = fixture if isinstance(fixture, bytes) else (PAYLOADS / f"{fixture}.json").read_bytes()
    answer = http.post(
        "/intake/easypost",
        params={"account": account} if account else {},
        content=body,
        headers={"Content-Type": "application/json", "X-Hmac-Signature": sign(body, secret)},
    )
    return answer.status_code, answer.json()


def delivered_events(store: Store) -> list[MilestoneEvent]:
    due = store.intake_inbox.due(datetime.now(UTC), 100)
    events = [MilestoneEvent.model_validate_json(row.event_json) for row in due]
    return [e for e in events if e.milestone.value == "delivered"]


def test_a_tracker_event_reaches_the_customer_its_order_named_once(
    http: TestClient, store: Store
) -> None:
    order_shipped(http)
    assert deliver(http, "tracker_updated_delivered") == (200, {"accepted": 1, "duplicates": 0})
    # EasyPost retries the same Event (its id): acknowledged, kept once.
    assert deliver(http, "tracker_updated_delivered") == (200, {"accepted": 0, "duplicates": 1})
    [event] = delivered_events(store)
    assert event.event_id == f"{ORDER}:delivered" and event.merchant == "scarves"
    assert event.customer.phone == "+14155550123"  # the one Shopify's order named
    # The tracker's id is on the shipment now, for the poller.
    link = store.tracked_shipments.by_tracker("trk_c8e0edb5bb284caa934a0d3db23a148z")
    assert link is not None and link.workflow_id == f"order-{ORDER}"


def test_a_forged_or_unaddressed_event_is_refused_and_nothing_kept(
    http: TestClient, store: Store
) -> None:
    order_shipped(http)
    before = store.intake_inbox.backlog()
    assert deliver(http, "tracker_updated_delivered", secret="guess")[0] == 401
    assert deliver(http, "tracker_updated_delivered", account="nobody")[0] == 401
    # Two accounts configured: the URL must say which; the other has no secret at all.
    assert deliver(http, "tracker_updated_delivered", account=None)[0] == 401
    assert deliver(http, "tracker_updated_delivered", account="returns-desk")[0] == 401
    body = (PAYLOADS / "tracker_updated_delivered.json").read_bytes()
    unsigned = http.post("/intake/easypost?account=warehouse", content=body)
    assert unsigned.status_code == 401
    # A header of bytes no ASCII (HTTP carries them as Latin-1): forged too, not a 500.
    latin = http.post(
        "/intake/easypost?account=warehouse",
        content=body,
        headers={"X-Hmac-Signature": "hmac-sha256-hex=\u00e9".encode("latin-1")},
    )
    assert latin.status_code == 401
    assert store.intake_inbox.backlog() == before
    assert store.dead_letters.list(10, True) == []


def test_the_retired_secret_of_a_rotation_still_passes(http: TestClient, store: Store) -> None:
    order_shipped(http)
    status, body = deliver(http, "tracker_updated_delivered", secret="retired-secret")
    assert (status, body["accepted"]) == (200, 1)


def test_an_unknown_tracking_code_is_a_dead_letter_a_replay_delivers_once_it_is_known(
    http: TestClient, store: Store
) -> None:
    status, body = deliver(http, "tracker_updated_unknown_code")
    assert status == 200 and f"{UNKNOWN_CODE} is not linked to an order yet" in body["reason"]
    letter = body["dead_letter"]
    assert delivered_events(store) == []
    # Too early: still unknown, the letter stays with its reason.
    early = http.post(f"/intake/dead-letters/{letter}/replay", headers=TOKEN)
    assert early.status_code == 422 and "not linked to an order yet" in early.json()["detail"]
    order_shipped(http, tracking_number=UNKNOWN_CODE)  # Shopify names the code now
    replayed = http.post(f"/intake/dead-letters/{letter}/replay", headers=TOKEN)
    assert replayed.status_code == 200 and replayed.json() == {"accepted": 1}
    assert http.post(f"/intake/dead-letters/{letter}/replay", headers=TOKEN).json() == {
        "accepted": 0
    }
    # EasyPost's own retry of the Event: the replay kept it under the Event's id, as this
    # route does, so the retry is a duplicate.
    assert deliver(http, "tracker_updated_unknown_code")[1]["duplicates"] == 1
    assert {e.event_id for e in delivered_events(store)} == {f"{ORDER}:delivered"}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "the body is not JSON"),
        (b'{"description": "tracker.updated", "result": {}}', "has no delivery id"),
        (b'{"id": "evt_1", "description": "tracker.updated", "result": 7}', "has no tracker"),
    ],
    ids=["not-json", "no-event-id", "no-tracker"],
)
def test_a_signed_but_malformed_event_is_a_dead_letter(
    http: TestClient, store: Store, body: bytes, reason: str
) -> None:
    status, answer = deliver(http, body)
    assert status == 200 and reason in answer["reason"]
    [letter] = store.dead_letters.list(10, False)
    assert letter.source == "easypost" and letter.account == "warehouse"
    assert store.intake_inbox.backlog() == 0


def test_events_that_tell_nothing_are_acknowledged(http: TestClient, store: Store) -> None:
    status, body = deliver(http, "batch_created")
    assert status == 200 and body["accepted"] == 0 and "not a tracker's" in body["ignored"]


def test_a_full_inbox_is_a_429_with_retry_after(store: Store, tmp_path: Path) -> None:
    http = service(store, tmp_path, intake_max_backlog=1)
    order = (SHOPIFY_PAYLOADS / "orders_create_us_local_phone.json").read_bytes()
    shopify(http, "orders/create", order, "w-order")
    answer = http.post(
        "/intake/easypost?account=warehouse",
        content=(body := (PAYLOADS / "tracker_updated_delivered.json").read_bytes()),
        headers={"X-Hmac-Signature": sign(body, SECRET)},
    )
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "30"
