"""The intake on the running stack: an OMS's event posted to the HTTP service reaches the
customer by SMS through the inbox and the dispatcher; a repeat reaches nobody twice."""

from __future__ import annotations

import asyncio
import json
import random

import httpx
from temporalio.client import Client

from devstack.stack import Stack
from domain.milestones import Kind
from tests.e2e.test_stack import (
    all_final,
    history_when,
    new_phone,
    new_reference,
    sandbox_messages,
)
from tests.helpers.events import order_event
from tests.intake.test_shopify import PAYLOADS, sign


async def test_an_event_posted_to_the_intake_reaches_the_customer_once(
    stack: Stack, client: Client, sandbox: httpx.AsyncClient
) -> None:
    phone, reference = new_phone(), new_reference()
    body = order_event("shipped", reference, phone=phone).model_dump(mode="json")
    async with httpx.AsyncClient(base_url=stack.settings.effective_public_base_url) as http:
        first = await http.post("/intake/events", json=body)
        again = await http.post("/intake/events", json=body)  # the OMS retried
    assert first.status_code == 202 and first.json()["accepted"] == 1
    assert again.status_code == 202 and again.json()["duplicates"] == 1

    history = await history_when(client, Kind.ORDER, reference, all_final(1))
    await asyncio.sleep(1)  # time for a second SMS, were there one
    [sms] = await sandbox_messages(sandbox, phone)
    assert history.messages[0].provider_message_id == sms["sid"]


async def test_a_signed_shopify_order_reaches_its_customer(
    stack: Stack, client: Client, sandbox: httpx.AsyncClient
) -> None:
    phone = new_phone()
    order = json.loads((PAYLOADS / "orders_create_us_local_phone.json").read_text())
    order["id"] = random.randint(10**12, 10**13)
    order["shipping_address"]["phone"] = order["billing_address"]["phone"] = phone
    body = json.dumps(order).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Shop-Domain": "herald-demo.myshopify.com",
        "X-Shopify-Webhook-Id": f"w-{order['id']}",
        "X-Shopify-Hmac-Sha256": sign(body, "e2e-shopify-secret"),
    }
    async with httpx.AsyncClient(base_url=stack.settings.effective_public_base_url) as http:
        answer = await http.post("/intake/shopify", content=body, headers=headers)
    assert answer.status_code == 200 and answer.json()["accepted"] == 1

    history = await history_when(client, Kind.ORDER, str(order["id"]), all_final(1))
    [sms] = await sandbox_messages(sandbox, phone)
    assert history.messages[0].provider_message_id == sms["sid"]
    assert history.last_milestone is not None and history.last_milestone.value == "confirmed"
