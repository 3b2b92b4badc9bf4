"""Handing a message's first final delivery report to its workflow, for every provider.

The send activity may still be waiting for the report (its task token is on the message):
completing it costs one RPC and no workflow task. Otherwise, or when it has stopped
waiting, the report is signalled. Both the Twilio callbacks (api/status_callbacks.py) and
the Vonage and Plivo ones (api/provider_reports.py) hand over through here.
"""

from __future__ import annotations

import asyncio
import logging

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from activities.decide_and_send import DecidedSms
from activities.sms_routing import count_final_outcome
from domain.timeline import DeliveryReport
from observability import reports as observe
from store.message_routes import MessageRoute
from store.repository import Store
from store.statuses import ReportedMessage

log = logging.getLogger(__name__)


async def complete_send(
    client: Client,
    reported: ReportedMessage,
    report: DeliveryReport,
    route: MessageRoute | None = None,
) -> bool:
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
    if route is not None and route.provider is not None:  # the route the send took
        sent = sent.model_copy(
            update={
                "provider": route.provider,
                "route_reason": route.reason,
                "route_order": list(route.order),
            }
        )
    try:
        await client.get_async_activity_handle(task_token=reported.waiter).complete(sent)
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise
        log.info("send of %s no longer waits; signalling", reported.message_key)
        return False
    return True


async def signal_report(client: Client, workflow_id: str, report: DeliveryReport) -> None:
    """Signal the report to its workflow; one that is closed or not valid leaves it in the
    store (raises only when Temporal cannot be reached)."""
    try:
        await client.get_workflow_handle(workflow_id).signal("delivery_report", report)
    except RPCError as exc:
        if exc.status == RPCStatusCode.INVALID_ARGUMENT:
            log.warning("status callback names no valid workflow (%r); kept in the store", report)
            return
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise  # Temporal is unreachable: the workflow reconciles with the provider
        # The workflow has completed; the report is in the store, which is what is left.
        log.info("workflow %s has closed; report for %s kept in the store", workflow_id, report)


async def hand_over_final(
    store: Store,
    client: Client,
    reported: ReportedMessage,
    report: DeliveryReport,
    half_life_seconds: float,
) -> bool:
    """A message's first final report, whichever provider sent it: counted in the
    metrics and on its route, then to the send waiting for it or to its workflow. False:
    Temporal could not be reached; the report is in the store, where the workflow finds it
    at its report deadline (reconcile_delivery_report)."""
    await observe.final_report(store, reported, report.status, report.occurred_at)
    await asyncio.to_thread(
        count_final_outcome,
        store,
        reported.message_key,
        report.status,
        report.occurred_at,
        half_life_seconds,
    )
    if reported.collected_by_send:
        return True  # the send, registering next, takes it
    try:
        if reported.waiter:
            route = await asyncio.to_thread(store.message_routes.get, reported.message_key)
            if await complete_send(client, reported, report, route):
                return True
        await signal_report(client, reported.workflow_id, report)
    except RPCError as exc:
        log.warning("report for %s kept in the store; Temporal: %s", reported.message_key, exc)
        return False
    return True
