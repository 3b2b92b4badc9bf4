"""``POST /intake/shopify``: a shop's webhooks, signed by Shopify, into the intake.

The credential is Shopify's signature (``X-Shopify-Hmac-Sha256`` over the raw body, with
the shop's secret): a shop that is not configured, or a signature that does not match, is
answered 401 and nothing is kept. A signed payload is always answered 200 unless the inbox
is full (429): Shopify retries anything else for two days and then removes the
subscription, and a retry cannot repair a payload that cannot be notified, which is kept as
a dead letter instead (the store unreachable: 5xx, and Shopify's retry brings it again).
``X-Shopify-Webhook-Id`` is the same on a redelivery, so a webhook
delivered twice is kept once. A fulfillment event names no customer: the order's latest
event in the inbox does. A dead letter keeps the body byte for byte inside an envelope
with the topic, shop, webhook id and signature (intake/sources/shopify_letter.py), so a
replay maps it as this route would have, under the same inbox key.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from config.settings import Settings
from intake.accounts import shopify_accounts, shopify_secrets, validation_rules
from intake.dispatcher import Dispatcher
from intake.handoff import keep_events, keep_refusal
from intake.source import IntakeRefused, parse_json
from intake.sources.shopify import SOURCE, map_webhook, verify_hmac
from intake.sources.shopify_letter import ShopifyLetter
from intake.tracker_mappings import order_customer_lookup
from intake.validation import checked
from store.repository import Store

RETRY_AFTER_SECONDS = 30


async def busy_answer(store: Store, settings: Settings) -> JSONResponse | None:
    """429 with ``Retry-After`` past the configured backlog: every source's route asks."""
    limit = settings.intake_max_backlog
    if not await asyncio.to_thread(store.intake_inbox.backlog_reaches, limit):
        return None
    return JSONResponse(
        {"error": f"{limit} or more events waiting: try again later"},
        status_code=429,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def create_shopify_router(settings: Settings, store: Store, dispatcher: Dispatcher) -> APIRouter:
    accounts = shopify_accounts(settings.intake_config_path)
    secrets = shopify_secrets(settings)
    rule_book = validation_rules(settings.intake_config_path)
    router = APIRouter()

    customer_of = order_customer_lookup(store)

    @router.post("/intake/shopify")
    async def shopify_webhook(request: Request) -> JSONResponse:
        shop = (request.headers.get("x-shopify-shop-domain") or "").strip().lower()
        raw = await request.body()
        account = accounts.get(shop)
        signature = request.headers.get("x-shopify-hmac-sha256")
        if account is None or not verify_hmac(raw, signature, secrets.get(shop, [])):
            return JSONResponse({"error": "unknown shop or invalid signature"}, status_code=401)
        if (busy := await busy_answer(store, settings)) is not None:
            return busy
        topic = request.headers.get("x-shopify-topic") or ""
        delivery = request.headers.get("x-shopify-webhook-id") or ""
        now = datetime.now(UTC)

        def read_and_keep() -> dict[str, object]:
            try:
                if not delivery:
                    raise IntakeRefused("no X-Shopify-Webhook-Id")
                rules = rule_book.rules_for(SOURCE, shop)
                payload = parse_json(raw)
                mapped = map_webhook(
                    topic, shop, payload, account=account, customer_of=customer_of, rules=rules
                )
                mapped = checked(mapped, rules)
            except IntakeRefused as refused:
                letter = ShopifyLetter.of(
                    raw, topic=topic, shop=shop, webhook_id=delivery, hmac_sha256=signature
                )
                kept = keep_refusal(store, SOURCE, shop, refused, letter.letter(), now)
                return {"dead_letter": kept, "reason": refused.reason}
            added, repeated = keep_events(store, SOURCE, shop, delivery, mapped.events, now)
            body: dict[str, object] = {"accepted": added, "duplicates": repeated}
            if mapped.ignored:
                body["ignored"] = mapped.ignored
            return body

        body = await asyncio.to_thread(read_and_keep)
        if body.get("accepted"):
            dispatcher.wake()
        return JSONResponse(body, status_code=200)

    return router
