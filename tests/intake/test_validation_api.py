"""The routes apply each account's rules from config/intake.toml: the generic source by
``X-Herald-Account``, Shopify by shop; a payload refused under a rule is a dead letter that a
replay lets through once the configuration relaxes the rule."""

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
from tests.helpers.events import order_event
from tests.helpers.temporal import settings_for_tests
from tests.intake import test_easypost_api as easypost_api
from tests.intake.test_shopify import PAYLOADS, SHOP, sign

TOKEN = {"Authorization": "Bearer t"}
SECRET = "shpss_rules"
SMS_ONLY = """
[[validation]]
source = "generic"
account = "sms-only-oms"
contact = "phone"
"""
SHOP_RULES = f"""
[[shopify]]
shop = "{SHOP}"
merchant = "scarves"

[[validation]]
source = "shopify"
account = "{SHOP}"
landline = "drop"
milestones = ["confirmed", "shipped", "delivered"]
"""


def service(store: Store, tmp_path: Path, config: str) -> TestClient:
    path = tmp_path / f"intake-{abs(hash(config))}.toml"
    path.write_text(config)
    settings = settings_for_tests(
        data_dir=tmp_path,
        api_tokens="t",
        intake_config_path=path,
        shopify_webhook_secrets=f"{SHOP}:{SECRET}",
    )
    app = FastAPI()
    app.include_router(create_intake_router(settings, store, client=None))  # type: ignore[arg-type]
    return TestClient(app)  # not entered: no dispatcher runs


def email_only_event() -> dict[str, object]:
    body = order_event("shipped", "V1").model_dump(mode="json")
    body["customer"]["phone"] = None  # type: ignore[index]
    return body


def inbox_events(store: Store) -> list[MilestoneEvent]:
    due = store.intake_inbox.claim_due(datetime.now(UTC), 100, 30)
    return [MilestoneEvent.model_validate_json(row.event_json) for row in due]


def test_generic_rules_are_the_sending_accounts(store: Store, tmp_path: Path) -> None:
    http = service(store, tmp_path, SMS_ONLY)
    refused = http.post(
        "/intake/events",
        json=email_only_event(),
        headers={**TOKEN, "X-Herald-Account": "SMS-Only-OMS"},  # accounts ignore case
    )
    assert refused.status_code == 422 and "SMS only" in refused.json()["error"]
    # Another account has the defaults: an e-mail is enough.
    other = http.post("/intake/events", json=email_only_event(), headers=TOKEN)
    assert other.status_code == 202 and other.json()["accepted"] == 1
    [letter] = store.dead_letters.list(10)
    assert (letter.source, letter.account) == ("generic", "SMS-Only-OMS")


def test_a_dead_letter_refused_by_a_rule_goes_through_once_the_rule_is_relaxed(
    store: Store, tmp_path: Path
) -> None:
    strict = service(store, tmp_path, SMS_ONLY)
    headers = {**TOKEN, "X-Herald-Account": "sms-only-oms"}
    letter = strict.post("/intake/events", json=email_only_event(), headers=headers).json()[
        "dead_letter"
    ]
    still = strict.post(f"/intake/dead-letters/{letter}/replay", headers=TOKEN)
    assert still.status_code == 422
    relaxed = service(store, tmp_path, SMS_ONLY.replace('"phone"', '"any"'))
    replayed = relaxed.post(f"/intake/dead-letters/{letter}/replay", headers=TOKEN)
    assert replayed.status_code == 200 and replayed.json() == {"accepted": 1}
    [event] = inbox_events(store)
    assert event.customer.phone is None and event.customer.email


def deliver(http: TestClient, topic: str, body: bytes, webhook_id: str) -> dict[str, object]:
    answer = http.post(
        "/intake/shopify",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Shop-Domain": SHOP,
            "X-Shopify-Webhook-Id": webhook_id,
            "X-Shopify-Hmac-Sha256": sign(body, SECRET),
        },
    )
    return {"status": answer.status_code, **answer.json()}


@pytest.fixture
def shop(store: Store, tmp_path: Path) -> TestClient:
    return service(store, tmp_path, SHOP_RULES)


def test_shopify_landline_is_dropped_and_the_email_kept(shop: TestClient, store: Store) -> None:
    order = json.loads((PAYLOADS / "orders_create_de_sms_only.json").read_text())
    order["email"] = "lea@example.de"  # beside "030 901820", a Berlin landline
    answer = deliver(shop, "orders/create", json.dumps(order).encode(), "w-landline")
    assert answer["status"] == 200 and answer["accepted"] == 1
    assert "no SMS reaches a landline" in str(answer["ignored"])
    [event] = inbox_events(store)
    assert event.customer.phone is None and event.customer.email == "lea@example.de"


def test_shopify_landline_alone_is_a_dead_letter(shop: TestClient, store: Store) -> None:
    body = (PAYLOADS / "orders_create_de_sms_only.json").read_bytes()
    answer = deliver(shop, "orders/create", body, "w-landline-alone")
    assert answer["status"] == 200 and "dead_letter" in answer
    assert "no phone, e-mail or push token" in str(answer["reason"])
    assert store.intake_inbox.backlog() == 0


def test_shopify_milestone_the_shop_does_not_use_is_ignored(shop: TestClient, store: Store) -> None:
    body = (PAYLOADS / "fulfillment_events_create_out_for_delivery.json").read_bytes()
    answer = deliver(shop, "fulfillment_events/create", body, "w-ofd")
    assert answer["status"] == 200 and answer["accepted"] == 0
    assert "does not use out_for_delivery" in str(answer["ignored"])
    assert store.dead_letters.list(10) == [] and store.intake_inbox.backlog() == 0


def test_a_carrier_trackers_event_meets_its_accounts_rules_too(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "trackers.toml"
    path.write_text(
        f'[[shopify]]\nshop = "{SHOP}"\nmerchant = "scarves"\n\n'
        '[[easypost]]\nname = "warehouse"\nmerchant = "scarves"\n\n'
        '[[validation]]\nsource = "easypost"\naccount = "warehouse"\n'
        'milestones = ["confirmed", "shipped"]\n'  # the shop tells of the delivery itself
    )
    settings = settings_for_tests(
        data_dir=tmp_path,
        api_tokens="t",
        intake_config_path=path,
        shopify_webhook_secrets=f"{SHOP}:{easypost_api.SHOPIFY_SECRET}",
        easypost_webhook_secrets=f"warehouse:{easypost_api.SECRET}",
    )
    app = FastAPI()
    app.include_router(create_intake_router(settings, store, client=None))  # type: ignore[arg-type]
    http = TestClient(app)
    easypost_api.order_shipped(http)
    status, body = easypost_api.deliver(http, "tracker_updated_delivered")
    assert status == 200 and body["accepted"] == 0
    assert "does not use delivered" in str(body["ignored"])
    assert store.dead_letters.list(10) == []
