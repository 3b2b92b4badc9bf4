"""Delivery reports from Vonage and Plivo: checked, folded per part, handed to the workflow.

1. The signature is checked with the provider's own SDK validator (403 when wrong).
2. The adapter reads the report (400 when it is none).
3. The part's status goes to the store (store/message_parts.py), which folds the message's
   parts: a long Vonage message is delivered when every part is, failed when one part is.
4. When the message's status changes, it is recorded on the message like a Twilio report
   and, the first time it is final, completes the waiting send or is signalled, exactly as
   for Twilio (api/report_handover.py).
The message is found by Herald's key: Vonage echoes it as ``client-ref`` in every part's
report; Plivo's callback URL carries it (covered by the signature).
Vonage may be set to call by GET, POST form or POST JSON; all three are read.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from temporalio.client import Client

from api.report_handover import hand_over_final
from config.settings import Settings
from domain.timeline import DeliveryReport
from providers.sms_provider import SignedRequest, SmsProvider
from routing.rules import RoutingRules
from store.repository import Store

log = logging.getLogger(__name__)

PATHS = {"vonage": "/vonage/delivery", "plivo": "/plivo/status"}


async def signed_request(request: Request, settings: Settings) -> SignedRequest:
    """The webhook as its provider signed it: at Herald's public URL, whatever proxy is in
    between, with its parameters from the query, a form or a JSON body."""
    body = (await request.body()).decode(errors="replace")
    # A GET's parameters are its query; a POST's are its body (its query is in the URL).
    params: dict[str, str] = dict(request.query_params) if request.method == "GET" else {}
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            loaded = json.loads(body or "{}")
        except ValueError:
            loaded = None
        if isinstance(loaded, dict):
            params |= {k: str(v) for k, v in loaded.items()}
    elif body:
        params |= dict(parse_qsl(body, keep_blank_values=True))
    url = settings.effective_public_base_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    return SignedRequest(url, request.method, params, dict(request.headers))


def create_provider_reports_router(
    settings: Settings, store: Store, client: Client, providers: Mapping[str, SmsProvider]
) -> APIRouter:
    router = APIRouter()
    half_life = RoutingRules.load(settings.routing_rules_path).half_life_hours * 3600

    def route(name: str) -> None:
        adapter = providers[name]

        async def report_callback(request: Request) -> Response:
            signed = await signed_request(request, settings)
            if not adapter.signature_is_valid(signed):
                return Response(status_code=403, content=f"invalid {name} signature")
            try:
                report = adapter.parse_delivery_report(signed)
            except ValueError as refused:
                return Response(status_code=400, content=str(refused))
            if name == "plivo" and "message_key" in request.query_params:
                key = request.query_params["message_key"]
            else:
                key = report.reference
            now = datetime.now(UTC)
            outcome = await asyncio.to_thread(store.parts.record, report, message_key=key, now=now)
            if outcome is None:
                log.warning("%s report for unknown message %s ignored", name, report.message_id)
                return Response(status_code=204)
            if not outcome.changed or outcome.parts is None or outcome.first_part is None:
                return Response(status_code=204)  # a part moved; the message did not
            parts = outcome.parts
            handed = await hand_over(
                store,
                client,
                outcome.message_key,
                outcome.first_part,
                parts.status,
                parts.error_code,
                parts.final,
                now,
                half_life,
            )
            if not handed:  # Temporal unreachable: kept in the store, as Twilio's are
                return Response(status_code=503, content="recorded; the order will reconcile it")
            return Response(status_code=204)

        methods = ["GET", "POST"] if name == "vonage" else ["POST"]
        router.add_route(PATHS[name], report_callback, methods=methods)

    for name in PATHS:
        if name in providers:
            route(name)
    return router


async def hand_over(
    store: Store,
    client: Client,
    message_key: str,
    provider_message_id: str,
    status: str,
    error_code: str | None,
    final: bool,
    now: datetime,
    half_life_seconds: float,
) -> bool:
    """The message's new status: in the store, and its first final one to the workflow.
    False: Temporal could not be reached (the report waits in the store)."""
    report = DeliveryReport(
        provider_message_id=provider_message_id,
        status=status,
        error_code=error_code,
        occurred_at=now,
        message_key=message_key,
    )
    reported = await asyncio.to_thread(
        store.statuses.record,
        provider_message_id,
        status,
        error_code,
        now,
        message_key=message_key,
        final=final,
    )
    if reported is None or reported.repeated or not reported.first_final:
        return True
    return await hand_over_final(store, client, reported, report, half_life_seconds)
