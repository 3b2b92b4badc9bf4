"""A Shopify webhook dead-lettered on the running stack, replayed after the fix: a signed
order its shop's rules refuse (Canadian phones only, a US phone, no e-mail) is kept as a
dead letter; the rule is relaxed in config/intake.toml and the service started again; the
letter replayed over authenticated HTTP reaches the customer by one SMS, and Shopify's
redelivery of the same webhook adds nothing."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path

import httpx
from temporalio.client import Client

from devstack.stack import Stack
from domain.milestones import Kind
from store.repository import Store
from tests.e2e.test_stack import all_final, history_when, new_phone, sandbox_messages
from tests.intake.test_shopify import PAYLOADS, sign

SHOP = "herald-e2e-strict.myshopify.com"
SECRET = "e2e-strict-secret"
TOKEN = "e2e-replay-token"
SHOP_TABLE = f'\n[[shopify]]\nshop = "{SHOP}"\nmerchant = "herald-demo"\n'
RULE = f'\n[[validation]]\nsource = "shopify"\naccount = "{SHOP}"\n'


def configure(stack: Stack, path: Path, rule: str) -> None:
    """The shipped configuration with the test's shop and its rule, and the HTTP service
    started again on it (the route reads its rules at start; a replay at each replay)."""
    shipped = (Path(__file__).parents[2] / "config" / "intake.toml").read_text()
    path.write_text(shipped + SHOP_TABLE + RULE + rule)
    stack.restart_http(
        HERALD_INTAKE_CONFIG_PATH=str(path),
        HERALD_SHOPIFY_WEBHOOK_SECRETS=f"herald-demo.myshopify.com:e2e-shopify-secret,{SHOP}:{SECRET}",
        HERALD_API_TOKENS=TOKEN,
    )


def signed_order(phone: str) -> tuple[str, bytes, dict[str, str]]:
    order = json.loads((PAYLOADS / "orders_create_us_local_phone.json").read_text())
    order["id"] = random.randint(10**12, 10**13)
    order["email"] = order["contact_email"] = order["customer"]["email"] = None
    order["shipping_address"]["phone"] = order["billing_address"]["phone"] = phone
    body = json.dumps(order).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-Webhook-Id": f"w-replay-{order['id']}",
        "X-Shopify-Hmac-Sha256": sign(body, SECRET),
    }
    return str(order["id"]), body, headers


async def test_a_dead_lettered_shopify_webhook_replayed_after_the_fix_texts_once(
    stack: Stack, client: Client, sandbox: httpx.AsyncClient, store: Store, tmp_path: Path
) -> None:
    config = tmp_path / "intake.toml"
    phone = new_phone()
    reference, body, headers = signed_order(phone)
    intake = httpx.AsyncClient(base_url=stack.settings.effective_public_base_url, timeout=30)
    try:
        await asyncio.to_thread(configure, stack, config, 'phone_countries = ["CA"]\n')
        refused = await intake.post("/intake/shopify", content=body, headers=headers)
        assert refused.status_code == 200 and "no phone, e-mail or push token" in refused.text
        letter = refused.json()["dead_letter"]

        await asyncio.to_thread(configure, stack, config, "")  # the rule relaxed
        replay = f"/intake/dead-letters/{letter}/replay"
        assert (await intake.post(replay)).status_code == 401  # customers' data: credential
        auth = {"Authorization": f"Bearer {TOKEN}"}
        replayed = await intake.post(replay, headers=auth)
        assert replayed.status_code == 200 and replayed.json() == {"accepted": 1}

        history = await history_when(client, Kind.ORDER, reference, all_final(1))
        [sms] = await sandbox_messages(sandbox, phone)
        assert history.messages[0].provider_message_id == sms["sid"]
        # Shopify delivers the same webhook again: the replay's inbox key, nothing new.
        again = await intake.post("/intake/shopify", content=body, headers=headers)
        assert again.status_code == 200 and again.json() == {"accepted": 0, "duplicates": 1}
        await asyncio.sleep(2)  # time for a second SMS, were there one
        assert len(await sandbox_messages(sandbox, phone)) == 1
        shown = (await intake.get(f"/intake/dead-letters/{letter}", headers=auth)).json()
        assert shown["closed"] is True
    finally:
        await intake.aclose()
        await asyncio.to_thread(stack.restart_http)
