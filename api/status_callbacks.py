"""Delivery reports: the provider's status callbacks, stored, then handed to the workflow.

A final report completes the send activity when it is still waiting for it (one RPC, no
workflow task of its own); otherwise it is signalled to the workflow. store/statuses.py
says how the two sides agree on which.
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
from temporalio.service import RPCError, RPCStatusCode

from activities.decide_and_send import DecidedSms
from api.twilio_signature import verified_form
from config.policy import get_policy_settings
from config.settings import Settings
from domain.timeline import DeliveryReport, delivery_status_from_twilio
from observability import reports as observe
from observability.logs import logging_context
from observability.tracing import tracer
from policy.senders import is_back_pressure
from store.repository import Store
from store.statuses import ReportedMessage

log = logging.getLogger(__name__)


def create_status_router(settings: Settings, store: Store, client: Client) -> APIRouter:
    router = APIRouter()

    async def status_callback(request: Request) -> Response:
        message_key = request.query_params.get("message_key")
        # The send put its trace's context in the callback URL (activities/sms.py): the
        # report joins the milestone's trace.
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
            except HTTPException:
                observe.webhook("twilio_status", "refused_signature")
                raise
            sid = form.get("MessageSid") or form.get("SmsSid")
            status = form.get("MessageStatus") or form.get("SmsStatus")
            span.set_attributes({"herald.provider_id": sid or "", "herald.status": status or ""})
            with logging_context(provider_id=sid):
                response, outcome = await handle(form, message_key, sid, status)
                observe.webhook("twilio_status", outcome, status=status)
            return response

    async def handle(
        form: dict[str, str], message_key: str | None, sid: str | None, status: str | None
    ) -> tuple[Response, str]:
        if not sid or not status:
            missing = "MessageSid and MessageStatus are required"
            return Response(status_code=400, content=missing), "malformed"
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
        if is_back_pressure(None, report.error_code):
            # The carrier's queue is full (30001...): slow the sender like a 429 would.
            await asyncio.to_thread(_slow_down, settings, store, form.get("From") or "")
        # The message key in our own callback URL (covered by the signature) names the
        # workflow even when the callback beats the send's row update to the store.
        workflow_id = reported.workflow_id if reported else _workflow_of(message_key)
        if workflow_id is None:
            return Response(status_code=204), "unknown_message"
        if reported and is_final:
            await observe.final_report(store, reported, status, report.occurred_at)
        if not is_final:
            return Response(status_code=204), "accepted"  # kept; the workflow needs no task
        if reported and reported.collected_by_send:
            return Response(status_code=204), "accepted"  # the send, registering next, takes it
        if reported and reported.waiter and await _complete_send(client, reported, report):
            return Response(status_code=204), "accepted"
        await _signal(client, workflow_id, report)
        return Response(status_code=204), "accepted"

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


def _workflow_of(message_key: str | None) -> str | None:
    return message_key.split(":", 1)[0] if message_key and ":" in message_key else None


async def _complete_send(client: Client, reported: ReportedMessage, report: DeliveryReport) -> bool:
    """Hand the final report to the send activity waiting for it; False if it stopped.

    One result for both send activities: ``send_sms`` reads its ``SmsSent`` fields out of
    it, ``decide_and_send_sms`` all of it (without a decision, which stays in its worker).
    """
    sent = DecidedSms(
        provider_message_id=report.provider_message_id,
        provider_calls=reported.provider_calls,
        deduplicated=False,
        accepted_at=reported.sent_at,
        final_report=report,
        body=reported.body,
        encoding=reported.encoding,
        segments=reported.segments,
        estimated_cost_usd=reported.estimated_cost_usd,
    )
    try:
        await client.get_async_activity_handle(task_token=reported.waiter).complete(sent)
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise  # 500: the provider retries the callback, which then signals
        log.info("send of %s no longer waits; signalling", reported.message_key)
        return False
    return True


async def _signal(client: Client, workflow_id: str, report: DeliveryReport) -> None:
    try:
        await client.get_workflow_handle(workflow_id).signal("delivery_report", report)
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise  # 500: the provider retries the callback
        # The workflow has completed; the report is in the store, which is what is left.
        log.info("workflow %s has closed; report for %s kept in the store", workflow_id, report)
