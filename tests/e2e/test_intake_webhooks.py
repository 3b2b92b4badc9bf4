"""Every signed webhook source on the running stack: AfterShip's signed tracking update
reaches the customer it names by SMS; a forged webhook (any source) is refused with
nothing kept; a redelivered one is acknowledged and reaches nobody twice."""

from __future__ import annotations

import asyncio
import json
import random

import httpx
import pytest
from temporalio.client import Client

from devstack.stack import Stack
from domain.milestones import Kind
from store.repository import Store
from tests.e2e.test_stack import all_final, history_when, new_phone, sandbox_messages
from tests.intake.test_aftership import PAYLOADS as AFTERSHIP
from tests.intake.test_aftership import sign as aftership_sign
from tests.intake.test_easypost import PAYLOADS as EASYPOST
from tests.intake.test_easypost import sign as easypost_sign
from tests.intake.test_shopify import PAYLOADS as SHOPIFY
from tests.intake.test_shopify import sign as shopify_sign

AFTERSHIP_SECRET = "e2e-aftership-secret"  # tests/e2e/conftest.py gives it to the stack
SHOP = "herald-demo.myshopify.com"


def aftership_update(phone: str) -> tuple[str, bytes]:
    """A delivered AfterShip tracking for an order no other source named, with its phone."""
    tracking = json.loads((AFTERSHIP / "tracking_update_delivered_new_order.json").read_text())
    order = f"AS-{random.randint(10**8, 10**9)}"
    tracking["event_id"] = f"evt-{order}"
    tracking["msg"].update(
        order_id=order,
        tracking_number=f"1ZAS{random.randint(10**11, 10**12)}",
        smses=[phone],
        emails=[],
    )
    return order, json.dumps(tracking).encode()


async def test_a_signed_aftership_update_reaches_its_customer_once_and_a_forged_one_nobody(
    stack: Stack, client: Client, sandbox: httpx.AsyncClient, store: Store
) -> None:
    phone, forged_phone = new_phone(), new_phone()
    order, body = aftership_update(phone)
    _, forged = aftership_update(forged_phone)
    url = "/intake/aftership?account=herald-demo"
    async with httpx.AsyncClient(base_url=stack.settings.effective_public_base_url) as http:
        signed = {"aftership-hmac-sha256": aftership_sign(body, AFTERSHIP_SECRET)}
        first = await http.post(url, content=body, headers=signed)
        again = await http.post(url, content=body, headers=signed)  # AfterShip retried
        letters = store.dead_letters.open_count()
        refused = await http.post(
            url, content=forged, headers={"aftership-hmac-sha256": aftership_sign(forged, "guess")}
        )
    assert first.status_code == 200 and first.json()["accepted"] == 1, first.text
    assert again.status_code == 200 and again.json()["duplicates"] == 1
    assert refused.status_code == 401 and store.dead_letters.open_count() == letters

    history = await history_when(client, Kind.ORDER, order, all_final(1))
    await asyncio.sleep(1)  # time for a second SMS, were there one
    assert [m.milestone.value for m in history.messages] == ["delivered"]
    [sms] = await sandbox_messages(sandbox, phone)
    assert history.messages[0].provider_message_id == sms["sid"]
    assert await sandbox_messages(sandbox, forged_phone) == []


@pytest.mark.parametrize("source", ["shopify", "easypost"])
async def test_a_forged_webhook_is_refused_and_nothing_is_kept(
    stack: Stack, store: Store, source: str
) -> None:
    order_id = random.randint(10**12, 10**13)
    if source == "shopify":
        order = json.loads((SHOPIFY / "orders_create_us_local_phone.json").read_text())
        order["id"] = order_id
        body = json.dumps(order).encode()
        path = "/intake/shopify"
        headers = {
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Shop-Domain": SHOP,
            "X-Shopify-Webhook-Id": f"w-forged-{order_id}",
            "X-Shopify-Hmac-Sha256": shopify_sign(body, "not-the-shops-secret"),
        }
    else:
        body = (EASYPOST / "tracker_updated_out_for_delivery.json").read_bytes()
        path = "/intake/easypost?account=herald-demo"
        headers = {"X-Hmac-Signature": easypost_sign(body, "not-the-accounts-secret")}
    letters = store.dead_letters.open_count()
    async with httpx.AsyncClient(base_url=stack.settings.effective_public_base_url) as http:
        answer = await http.post(path, content=body, headers=headers)
    assert answer.status_code == 401
    assert store.dead_letters.open_count() == letters  # not even a dead letter
    assert store.intake_inbox.latest_event(f"order-{order_id}") is None
