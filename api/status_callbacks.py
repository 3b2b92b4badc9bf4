"""Delivery reports: the provider's status callbacks, stored, then handed to the workflow.

A final report completes the send activity when it is still waiting for it (one RPC, no
workflow task of its own); otherwise it is signalled to the workflow. store/statuses.py
says how the two sides agree on which.

Only a message's first final report goes to the workflow: Twilio reports every change in
no guaranteed order, and a captured callback can be replayed; the store counts the rest.
Twilio retries a webhook only when the connection fails, never on a 500, so an answer
other than 2xx loses the report until the workflow reconciles it with the provider
(activities/reconcile.py): malformed callbacks get a 4xx that says why.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request, Response
from opentelemetry import propagate
from opentelemetry.trace import SpanKind
from temporalio.client import Client

from api.report_handover import hand_over_final
from api.twilio_signature import verified_form
from config.policy import get_policy_settings
from config.settings import Settings
from domain.timeline import DeliveryReport, delivery_status_from_twilio
from observability import reports as observe
from observability.logs import logging_context
from observability.tracing import tracer
from policy.senders import is_back_pressure
from routing.rules import RoutingRules
from store.repository import Store

log = logging.getLogger(__name__)


def create_status_router(settings: Settings, store: Store, client: Client) -> APIRouter:
    router = APIRouter()
    half_life = RoutingRules.load(settings.routing_rules_path).half_life_hours * 3600

    async def status_callback(request: Request) -> Response:
        message_key = request.query_params.get("message_key") or None
        # The send put its trace's context in the callback URL (activities/sms.py): the
        # report joins the milestone's trace, under the provider call.
        traceparent = request.query_params.get("traceparent")
        parent = propagate.extract({"traceparent": traceparent}) if traceparent else None
        with (
            tracer().start_as_current_span(
                "twilio status callback", context=parent, kind=SpanKind.SERVER
            ) as span,
            logging_context(message_key=message_key, workflow_id=_workflow_of(message_key)),
        ):
            try:
                form = await verified_form(request, settings)
            except HTTPException as refused:
                observe.webhook("twilio_status", "refused_signature")
                return Response(status_code=refused.status_code, content=str(refused.detail))
            sid = form.get("MessageSid") or form.get("SmsSid")
            status = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip().lower()
            span.set_attributes({"herald.provider_id": sid or "", "herald.status": status})
            with logging_context(provider_id=sid):
                response, outcome = await handle(form, message_key, sid, status)
                observe.webhook("twilio_status", outcome, status=status)
            return response

    async def handle(
        form: dict[str, str], message_key: str | None, sid: str | None, status: str
    ) -> tuple[Response, str]:
        """The report's effect, and its outcome for the log and the metrics."""
        if not sid or not status:
            missing = "MessageSid and MessageStatus are required"
            return Response(status_code=400, content=missing), "malformed"
        if problem := _malformed(sid, status, form.get("ErrorCode"), message_key):
            return Response(status_code=400, content=problem), "malformed"
        report = DeliveryReport(
            provider_message_id=sid,
            status=status,
            error_code=form.get("ErrorCode") or None,
            occurred_at=datetime.now(UTC),
            message_key=message_key,
        )
        final = delivery_status_from_twilio(status)
        is_final = final is not None and final.is_final
        reported = await asyncio.to_thread(
            store.statuses.record,
            sid,
            status,
            report.error_code,
            report.occurred_at,
            message_key=message_key,
            final=is_final,
        )
        if reported is None:
            # No message of ours has this id or key (the row is written before the provider
            # is called, so a real report always finds it): nothing to tell anyone.
            return Response(status_code=204), "unknown_message"
        if reported.repeated:
            return Response(status_code=204), "ignored"  # counted on its first row
        if is_back_pressure(None, report.error_code):
            # The carrier's queue is full (30001...): slow the sender like a 429 would.
            await asyncio.to_thread(_slow_down, settings, store, form.get("From") or "")
        if not reported.first_final:
            # Not final, or a final report after the first (which the workflow keeps): in
            # the store only; the workflow needs no task.
            return Response(status_code=204), "accepted"
        if await hand_over_final(store, client, reported, report, half_life):
            return Response(status_code=204), "accepted"
        # Temporal unreachable: the report is in the store. Twilio does not retry.
        return Response(status_code=503, content="recorded; the order will reconcile it"), (
            "kept_for_reconciliation"
        )

    # A plain route, not an API route: the provider calls it twice per message, and
    # FastAPI's parameter solving cost 110 us of CPU a call (measured in process).
    router.add_route("/twilio/status", status_callback, methods=["POST"])
    return router


def _slow_down(settings: Settings, store: Store, sender: str) -> None:
    rules = get_policy_settings().rules()
    store.sender_limiter.report_back_pressure(
        sender or settings.sms_sender,
        time.time(),
        factor=rules.back_pressure_factor,
        min_factor=rules.back_pressure_min_factor,
        cool_down_seconds=rules.back_pressure_seconds,
    )


MAX_FIELD_CHARACTERS = 64  # a message SID is 34; Herald's keys are well under this


def _malformed(sid: str, status: str, error_code: str | None, message_key: str | None) -> str:
    """Why a signed callback cannot be a report; empty when it can be."""
    if len(sid) > MAX_FIELD_CHARACTERS or not sid.isprintable():
        return "MessageSid is not a message id"
    if len(status) > 20 or not status.isalpha():
        return "MessageStatus is not a status word"
    if error_code and (len(error_code) > 40 or not error_code.isalnum()):
        return "ErrorCode is not an error code"
    if message_key is not None and (len(message_key) > 300 or not message_key.isprintable()):
        return "message_key is not one of Herald's message keys"
    return ""


def _workflow_of(message_key: str | None) -> str | None:
    """The workflow a message key names (``order-A1:shipped:1:sms``), for the log line."""
    return message_key.split(":", 1)[0] if message_key and ":" in message_key else None
