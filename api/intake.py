"""The intake's HTTP routes: acknowledge fast, hand off durably (docs/intake.md).

``POST /intake/events``: Herald's own milestone JSON from any OMS (intake/sources/
generic.py), behind the service's credential. The event is written to the inbox in the
transaction that acknowledges it (202), and the dispatcher signals the order's workflow;
the same event id again is acknowledged and written once. A payload that cannot be
notified is kept as a dead letter (sealed) and answered 422 with the reason; past the
configured backlog the answer is 429 with ``Retry-After``, so a burst cannot grow the
inbox without bound. ``X-Herald-Account`` names the sending account (default: default).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from temporalio.client import Client

from activities.policy import workflow_policy
from api.auth import require_credential
from api.intake_aftership import create_aftership_router
from api.intake_dead_letters import create_dead_letters_router
from api.intake_easypost import create_easypost_router
from api.intake_shopify import busy_answer, create_shopify_router
from config.settings import Settings
from domain.events import MilestoneEvent
from intake.accounts import generic_accounts, validation_rules
from intake.dispatcher import Dispatcher
from intake.handoff import keep_events, keep_refusal
from intake.health_monitor import IntakeHealthMonitor
from intake.housekeeping import Housekeeping
from intake.returns_config import build_watchers
from intake.source import IntakeRefused, parse_json
from intake.sources.generic import DELIVERY, SOURCE, map_generic
from intake.tracking_polls import poll_start_for, tracking_accounts
from intake.validation import checked
from starter.client import signal_milestone
from starter.tracking import start_tracking_poller, tracking_policy
from store.repository import Store

# The generic source's account names: they label metrics, so a short name, not an id.
ACCOUNT_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")


def create_intake_router(
    settings: Settings, store: Store, client: Client, health: IntakeHealthMonitor | None = None
) -> APIRouter:
    """``health``: the monitor ``/health`` reads, refreshed here (one made if not given)."""
    policy = workflow_policy(settings)  # a new order's run need not load the worker's

    async def signal(event: MilestoneEvent) -> None:
        await signal_milestone(client, event, policy=policy)

    polled, poll_policy = tracking_accounts(settings), tracking_policy(settings)

    async def follow_shipment(source: str, account: str, event: MilestoneEvent) -> None:
        """A shipped event of an account that polls: its tracking poller (docs/intake.md)."""
        start = poll_start_for(source, account, event, polled, poll_policy)
        if start is not None:
            await start_tracking_poller(client, start, task_queue=settings.task_queue)

    dispatcher = Dispatcher(
        store,
        signal,
        rate=settings.intake_dispatch_rate,
        in_flight=settings.intake_dispatch_in_flight,
        after_signal=follow_shipment,
    )
    rule_book = validation_rules(settings.intake_config_path)
    generic_zones = {
        name: account.time_zone
        for name, account in generic_accounts(settings.intake_config_path).items()
    }

    housekeeping = Housekeeping(store, settings)  # the prune, beside the dispatcher
    health = health or IntakeHealthMonitor(store)
    returns_watchers = build_watchers(settings, store, dispatcher.wake)  # [[returns]] tables

    @contextlib.asynccontextmanager
    async def dispatching(_app: FastAPI) -> AsyncIterator[None]:
        tasks = [
            asyncio.create_task(dispatcher.run_forever()),
            asyncio.create_task(housekeeping.run_forever()),
            asyncio.create_task(health.run_forever()),
            *(asyncio.create_task(w.run_forever()) for w in returns_watchers),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    router = APIRouter(lifespan=dispatching)
    generic = APIRouter(dependencies=[Depends(require_credential(settings))])

    @generic.post("/intake/events", status_code=202)
    async def intake_event(request: Request) -> JSONResponse:
        account = request.headers.get("x-herald-account") or "default"
        if not ACCOUNT_NAME.fullmatch(account):
            return JSONResponse(
                {
                    "error": "X-Herald-Account is an account's name: 1 to 64 letters, digits, "
                    "'.', '_' or '-' (it labels the intake's metrics, so not an order id)"
                },
                status_code=400,
            )
        if (busy := await busy_answer(store, settings)) is not None:
            return busy
        raw = await request.body()
        now = datetime.now(UTC)
        rules = rule_book.rules_for(SOURCE, account)
        try:
            zone = generic_zones.get(account.lower())
            mapped = checked(map_generic(parse_json(raw), rules, time_zone=zone), rules)
        except IntakeRefused as refused:
            kept = await asyncio.to_thread(keep_refusal, store, SOURCE, account, refused, raw, now)
            return JSONResponse({"error": refused.reason, "dead_letter": kept}, status_code=422)
        added, repeated = await asyncio.to_thread(
            keep_events, store, SOURCE, account, DELIVERY, mapped.events, now
        )
        dispatcher.wake()
        body: dict[str, object] = {"accepted": added, "duplicates": repeated}
        if mapped.ignored:
            body["note"] = mapped.ignored
        return JSONResponse(body, status_code=202)

    router.include_router(generic)
    # Shopify's own signature is its credential (api/intake_shopify.py).
    router.include_router(create_shopify_router(settings, store, dispatcher))
    # Carrier trackers: their providers' signatures too (api/intake_trackers.py).
    router.include_router(create_easypost_router(settings, store, dispatcher))
    router.include_router(create_aftership_router(settings, store, dispatcher))
    router.include_router(create_dead_letters_router(settings, store, dispatcher))
    return router
