"""A carrier tracker on the running stack: Shopify's order and fulfillment name a tracking
code; the sandbox's EasyPost, told through the official SDK to track it and to call
Herald's webhook, signs a tracker.updated Event when the carrier delivers; the customer
Shopify's order named hears of the delivery by SMS, once."""

from __future__ import annotations

import asyncio
import json
import random

import easypost
import httpx
from temporalio.client import Client

from devstack.stack import Stack
from domain.milestones import Kind
from tests.e2e.test_stack import all_final, history_when, new_phone, sandbox_messages
from tests.intake.test_shopify import PAYLOADS, sign

SHOP = "herald-demo.myshopify.com"
EASYPOST_SECRET = "e2e-easypost-secret"  # tests/e2e/conftest.py gives it to the stack


async def shopify(http: httpx.AsyncClient, topic: str, payload: dict[str, object]) -> None:
    body = json.dumps(payload).encode()
    answer = await http.post(
        "/intake/shopify",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Shop-Domain": SHOP,
            "X-Shopify-Webhook-Id": f"w-{topic}-{payload['id']}",
            "X-Shopify-Hmac-Sha256": sign(body, "e2e-shopify-secret"),
        },
    )
    assert answer.status_code == 200 and answer.json()["accepted"] == 1, answer.text


async def test_an_easypost_delivery_reaches_the_customer_shopify_named(
    stack: Stack, client: Client, sandbox: httpx.AsyncClient
) -> None:
    phone, order_id = new_phone(), random.randint(10**12, 10**13)
    code = f"1Z{random.randint(10**15, 10**16)}"
    order = json.loads((PAYLOADS / "orders_create_us_local_phone.json").read_text())
    order["id"] = order_id
    order["shipping_address"]["phone"] = order["billing_address"]["phone"] = phone
    fulfillment = json.loads((PAYLOADS / "fulfillments_create_ups.json").read_text())
    fulfillment.update(order_id=order_id, tracking_number=code, tracking_numbers=[code])
    herald = stack.settings.effective_public_base_url
    async with httpx.AsyncClient(base_url=herald) as http:
        await shopify(http, "orders/create", order)
        await shopify(http, "fulfillments/create", fulfillment)
    reference = str(order_id)
    await history_when(client, Kind.ORDER, reference, all_final(2))  # confirmed, shipped

    # EasyPost, as the merchant set it up: a webhook with a secret, a tracker for the code.
    easypost_client = easypost.EasyPostClient(
        stack.settings.effective_easypost_api_key,
        api_base=stack.settings.effective_easypost_api_base_url,
    )
    told = await sandbox.post(
        "/sandbox/easypost/parcels",
        json={"tracking_code": code, "carrier": "UPS", "status": "in_transit"},
    )
    assert told.status_code == 201
    hook = await asyncio.to_thread(
        easypost_client.webhook.create,
        url=f"{herald}/intake/easypost?account=herald-demo",
        webhook_secret=EASYPOST_SECRET,
    )
    try:
        tracker = await asyncio.to_thread(
            easypost_client.tracker.create, tracking_code=code, carrier="UPS"
        )
        delivered = await sandbox.post(
            f"/sandbox/easypost/trackers/{tracker.id}/advance", json={"status": "delivered"}
        )
        assert delivered.status_code == 200

        history = await history_when(client, Kind.ORDER, reference, all_final(3))
        await asyncio.sleep(1)  # time for a second delivery SMS, were there one
    finally:
        await asyncio.to_thread(easypost_client.webhook.delete, hook.id)
    assert [m.milestone.value for m in history.messages] == ["confirmed", "shipped", "delivered"]
    texts = await sandbox_messages(sandbox, phone)
    assert len(texts) == 3
    assert history.messages[-1].provider_message_id in {sms["sid"] for sms in texts}
    # Every Event the sandbox sent (tracker.created, tracker.updated) was answered 2xx.
    attempts = await sandbox.get("/sandbox/easypost/trackers", params={"tracking_code": code})
    ours = [a for a in attempts.json()["webhook_attempts"] if "/intake/easypost" in a["url"]]
    assert ours and all(a["http_status"] == 200 for a in ours), ours
