"""A Shopify webhook kept as a dead letter is replayed as its route would have read it: the
envelope keeps its topic, shop and webhook id around the body byte for byte; a replay after
the shop's rule is relaxed reaches the inbox under the webhook's own key, so Shopify's
redelivery of the same webhook adds nothing; a replay before the fix keeps the letter."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.intake import create_intake_router
from domain.events import MilestoneEvent
from intake.sources.shopify_letter import ShopifyLetter
from store.repository import Store
from tests.helpers.temporal import settings_for_tests
from tests.intake.test_shopify import PAYLOADS, SHOP, sign

TOKEN = {"Authorization": "Bearer t"}
SECRET = "shpss_replay"
SHOP_TABLE = f'[[shopify]]\nshop = "{SHOP}"\nmerchant = "scarves"\n'
# Canadian phones only: the order's US phone is dropped, and it names no e-mail.
STRICT = (
    SHOP_TABLE
    + f'\n[[validation]]\nsource = "shopify"\naccount = "{SHOP}"\nphone_countries = ["CA"]\n'
)
RELAXED = SHOP_TABLE + f'\n[[validation]]\nsource = "shopify"\naccount = "{SHOP}"\n'


class Shop:
    """The intake with config/intake.toml as the test writes it; ``configure`` is the
    operator's fix, then the service started again (the route reads its rules at start,
    a replay at each replay)."""

    def __init__(self, store: Store, tmp_path: Path, config: str) -> None:
        self.store, self.path = store, tmp_path / "intake.toml"
        self.tmp_path = tmp_path
        self.configure(config)

    def configure(self, config: str) -> None:
        self.path.write_text(config)
        settings = settings_for_tests(
            data_dir=self.tmp_path,
            api_tokens="t",
            intake_config_path=self.path,
            shopify_webhook_secrets=f"{SHOP}:{SECRET}",
        )
        app = FastAPI()
        app.include_router(create_intake_router(settings, self.store, client=None))  # type: ignore[arg-type]
        self.http = TestClient(app)  # not entered: no dispatcher runs

    def deliver(
        self, body: bytes, webhook_id: str, topic: str = "orders/create"
    ) -> dict[str, object]:
        answer = self.http.post(
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

    def replay(self, letter: object) -> tuple[int, dict[str, object]]:
        answer = self.http.post(f"/intake/dead-letters/{letter}/replay", headers=TOKEN)
        return answer.status_code, answer.json()


def phone_only_order() -> bytes:
    order = json.loads((PAYLOADS / "orders_create_us_local_phone.json").read_text())
    order["email"] = order["contact_email"] = order["customer"]["email"] = None
    # Indented as Shopify's own bodies are not: the letter must keep these very bytes.
    return json.dumps(order, indent=3).encode() + b"\r\n"


def inbox(store: Store) -> list[tuple[str, MilestoneEvent]]:
    rows = store.intake_inbox.claim_due(datetime.now(UTC), 100, 30)
    return [(row.dedupe_key, MilestoneEvent.model_validate_json(row.event_json)) for row in rows]


@pytest.fixture
def shop(store: Store, tmp_path: Path) -> Shop:
    return Shop(store, tmp_path, STRICT)


def test_the_letter_keeps_the_topic_shop_webhook_id_and_the_body_byte_for_byte(
    shop: Shop, store: Store
) -> None:
    body = phone_only_order()
    answer = shop.deliver(body, "w-strict-1")
    assert answer["status"] == 200 and "no phone, e-mail or push token" in str(answer["reason"])
    kept = ShopifyLetter.from_letter(
        store.dead_letters.get(int(str(answer["dead_letter"]))).payload
    )  # type: ignore[union-attr]
    assert (kept.topic, kept.shop, kept.webhook_id) == ("orders/create", SHOP, "w-strict-1")
    assert kept.raw == body and kept.hmac_sha256 == sign(body, SECRET)


def test_a_replay_after_the_rule_is_relaxed_delivers_once_and_the_redelivery_adds_nothing(
    shop: Shop, store: Store
) -> None:
    body = phone_only_order()
    letter = shop.deliver(body, "w-strict-2")["dead_letter"]
    # Before the fix: still refused, still a letter, seen once more.
    status, refused = shop.replay(letter)
    assert status == 422 and "no phone, e-mail or push token" in str(refused["detail"])
    [open_letter] = store.dead_letters.list(10)
    assert (open_letter.id, open_letter.count, open_letter.closed) == (letter, 2, False)

    shop.configure(RELAXED)
    assert shop.replay(letter) == (200, {"accepted": 1})
    assert store.dead_letters.list(10) == []  # replayed: closed
    # Shopify retries the same webhook (its id unchanged): the same inbox key, nothing new.
    again = shop.deliver(body, "w-strict-2")
    assert again == {"status": 200, "accepted": 0, "duplicates": 1}
    assert shop.replay(letter) == (200, {"accepted": 0})  # a second replay adds nothing
    [(key, event)] = inbox(store)
    assert key == f"shopify:{SHOP}:w-strict-2:{event.event_id}"
    assert (event.milestone.value, event.customer.phone) == ("confirmed", "+14155550123")


def test_a_replay_maps_the_body_by_the_letters_topic(shop: Shop, store: Store) -> None:
    """A fulfillment's body is no order: read as one it would name no customer."""
    fulfillment = (PAYLOADS / "fulfillments_create_ups.json").read_bytes()
    letter = shop.deliver(fulfillment, "w-ship", topic="fulfillments/create")["dead_letter"]
    shop.configure(RELAXED)
    assert shop.replay(letter) == (200, {"accepted": 1})
    [(key, event)] = inbox(store)
    assert (event.milestone.value, event.reference) == ("shipped", "5610000001001")
    assert event.shipment is not None and event.shipment.tracking_id == "1Z999AA10123456784"
    assert key.startswith(f"shopify:{SHOP}:w-ship:")


def test_a_shop_no_longer_configured_cannot_replay_its_letter(shop: Shop, store: Store) -> None:
    letter = shop.deliver(phone_only_order(), "w-gone")["dead_letter"]
    shop.configure("")
    status, answer = shop.replay(letter)
    assert status == 404 and "no Shopify shop" in str(answer["detail"])
    assert [l.id for l in store.dead_letters.list(10)] == [letter]  # noqa: E741 - kept


def test_a_letter_kept_before_envelopes_says_how_to_recover(shop: Shop, store: Store) -> None:
    bare = (PAYLOADS / "orders_create_us_local_phone.json").read_bytes()
    letter = store.dead_letters.keep("shopify", SHOP, "was refused", bare, 50, datetime.now(UTC))
    status, answer = shop.replay(letter)
    assert status == 422 and "have Shopify resend the webhook" in str(answer["detail"])
