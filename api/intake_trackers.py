"""What the carrier trackers' webhook routes share (api/intake_easypost.py,
api/intake_aftership.py): the account and its signature, then one payload into the inbox
or the dead letters.

The credential is the provider's signature over the raw body with the account's secret
(several during a rotation): an unknown account or a signature that does not match is a
401 and nothing is kept. The account is the ``account`` query parameter of the URL the
webhook was registered with (``/intake/easypost?account=warehouse``); with one account
configured it may be left out. A signed payload is answered 200 unless the inbox is full
(429 with ``Retry-After``: both providers retry): a retry cannot repair a payload that
cannot be notified, so that becomes a dead letter, replayable once what it lacked is there
(a tracking code no source had named yet). The provider's delivery id (EasyPost's Event
id, AfterShip's ``event_id``) is the same on a redelivery, so a webhook delivered twice is
kept once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.intake_shopify import busy_answer
from config.settings import Settings
from intake.accounts import validation_rules
from intake.dispatcher import Dispatcher
from intake.handoff import keep_events, keep_refusal
from intake.source import IntakeRefused, Mapped
from intake.sources.tracking import CustomerLookup, OrderLookup
from intake.tracker_mappings import customer_lookup, order_lookup
from intake.validation import Rules, checked
from store.repository import Store

AccountT = TypeVar("AccountT")


@dataclass(frozen=True)
class TrackerWebhook(Generic[AccountT]):
    source: str  # the inbox's and the dead letters' source name
    path: str
    signature_header: str
    accounts: Mapping[str, AccountT]
    secrets: Mapping[str, list[str]]  # by account name
    # The signed payload; None: forged or unsigned. IntakeRefused: signed but unreadable.
    read: Callable[[bytes, str | None, list[str]], Any | None]
    delivery_id: Callable[[Any], str | None]
    # The payload under the account's [[validation]] rules (a milestone it does not use is
    # ignored before any look-up).
    mapping: Callable[[Any, AccountT, OrderLookup, CustomerLookup, Rules], Mapped]
    # After the payload is kept or refused (EasyPost: the tracker id onto its shipment).
    after: Callable[[Store, Any], None] | None = None


def add_tracker_route(
    router: APIRouter,
    webhook: TrackerWebhook[AccountT],
    settings: Settings,
    store: Store,
    dispatcher: Dispatcher,
) -> None:
    order_of, customer_of = order_lookup(store), customer_lookup(store)
    rule_book = validation_rules(settings.intake_config_path)
    only = next(iter(webhook.accounts)) if len(webhook.accounts) == 1 else None

    @router.post(webhook.path, name=f"{webhook.source}_webhook")
    async def tracker_webhook(request: Request, account: str | None = None) -> JSONResponse:
        name = account or only or ""
        raw = await request.body()
        configured = webhook.accounts.get(name)
        signature = request.headers.get(webhook.signature_header)
        refused: IntakeRefused | None = None
        payload: Any = None
        if configured is not None:
            try:
                payload = webhook.read(raw, signature, webhook.secrets.get(name, []))
            except IntakeRefused as unreadable:
                refused = unreadable
        if configured is None or (payload is None and refused is None):
            return JSONResponse({"error": "unknown account or invalid signature"}, status_code=401)
        if (busy := await busy_answer(store, settings)) is not None:
            return busy
        now = datetime.now(UTC)
        chosen: AccountT = configured

        def read_and_keep() -> dict[str, object]:
            try:
                if refused is not None:
                    raise refused
                delivery = webhook.delivery_id(payload)
                if not delivery:
                    raise IntakeRefused(f"the {webhook.source} webhook has no delivery id")
                rules = rule_book.rules_for(webhook.source, name)
                mapped = webhook.mapping(payload, chosen, order_of, customer_of, rules)
                mapped = checked(mapped, rules)
            except IntakeRefused as refusal:
                kept = keep_refusal(store, webhook.source, name, refusal, raw, now)
                body: dict[str, object] = {"dead_letter": kept, "reason": refusal.reason}
            else:
                added, repeated = keep_events(
                    store, webhook.source, name, delivery, mapped.events, now
                )
                body = {"accepted": added, "duplicates": repeated}
                if mapped.ignored:
                    body["ignored"] = mapped.ignored
            if webhook.after is not None and payload is not None:
                webhook.after(store, payload)
            return body

        body = await asyncio.to_thread(read_and_keep)
        if body.get("accepted"):
            dispatcher.wake()
        return JSONResponse(body, status_code=200)
