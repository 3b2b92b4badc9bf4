"""Delivery reports: what becomes of an SMS after the provider accepted it.

Owns an accepted SMS until its final report: the report that came with the send (the send
activity waits for it, so a quick report costs no signal, no timer and no workflow task),
reports signalled later (``delivery_report``), reports that beat their send's result back
(kept and applied once the send returns), callbacks out of order or repeated, and the
durable deadline after which the message's status is fetched from the provider (Twilio's
advice for a missed callback: ``reconcile_delivery_report``), and only a message still
without a final status counts as a failure. A report saying "delivered" settles the order;
"undelivered" or "failed" hands it to the next provider of its route (sms_send.py) when
there is one; that, or no report at all, hands the message to fallback.py, within the
channels its send policy allowed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.reconcile import Reconciled, ReconcileInput
    from activities.sms import SmsSent
    from domain.events import MilestoneEvent
    from domain.timeline import (
        Channel,
        DeliveryReport,
        DeliveryStatus,
        MessageRecord,
        NotificationState,
        StatusChange,
        delivery_status_from_twilio,
    )
    from workflows import message_records as records
    from workflows import support_view
    from workflows.fallback import Fallback
    from workflows.run_context import RunContext
    from workflows.state import AwaitingReport

EARLY_REPORTS_KEPT = 50
RECONCILE_TIMEOUT = timedelta(seconds=30)
RECONCILE_RETRY = RetryPolicy(maximum_attempts=3, initial_interval=timedelta(seconds=2))
# Progress order, for deciding whether a delivery report may replace the status we hold.
STATUS_ORDER = {DeliveryStatus.PENDING: 0, DeliveryStatus.ACCEPTED: 1, DeliveryStatus.SENT: 2}


class DeliveryReports:
    def __init__(self, ctx: RunContext, fallback: Fallback) -> None:
        self._ctx = ctx
        self._fallback = fallback
        # The next provider for an SMS reported failed (sms_send.py), set once both exist.
        self.failover: Callable[[AwaitingReport, MessageRecord], Awaitable[bool]] | None = None

    def on_report(self, report: DeliveryReport) -> None:
        """A report signalled by the HTTP service."""
        record = records.message_by_provider_id(self._ctx, report.provider_message_id)
        if record is None:
            # The callback can beat the send activity's result back to the workflow.
            early = self._ctx.state.early_reports
            early.append(report)
            del early[:-EARLY_REPORTS_KEPT]
            return
        apply_report(record, report)
        self._ctx.publish()

    async def after_accept(
        self,
        record: MessageRecord,
        sent: SmsSent,
        event: MilestoneEvent,
        fallback: list[Channel] | None,
        occurrence: int | None,
    ) -> None:
        """The provider took the SMS: settle it now if its final report is in hand, else
        wait for the report beside the main loop (the order's next milestone goes on)."""
        awaiting = AwaitingReport(
            message_key=record.message_key,
            event=event,
            deadline=workflow.now()
            + timedelta(seconds=self._ctx.policy.delivery_report_timeout_seconds),
            fallback_channels=fallback,
            occurrence=occurrence,
        )
        state = self._ctx.state
        state.awaiting.append(awaiting)
        if sent.final_report is not None:  # the send waited for it
            apply_report(record, sent.final_report)
        for report in [
            r for r in state.early_reports if r.provider_message_id == sent.provider_message_id
        ]:
            state.early_reports.remove(report)
            apply_report(record, report)
        if record.status.is_final:
            # From "sending" straight to its end, with no "awaiting report" between: one
            # search-attribute upsert fewer. Settled before the caller publishes.
            await self._settle(awaiting, record)
            return
        self._ctx.history.state = NotificationState.AWAITING_REPORT
        self.start_tracker(awaiting)

    def start_tracker(self, awaiting: AwaitingReport) -> None:
        self._ctx.start_task(self._track(awaiting))

    async def _track(self, awaiting: AwaitingReport) -> None:
        """Wait on a durable timer for the final report; none in time counts as a failure."""
        record = records.message(self._ctx, awaiting.message_key)
        remaining = max((awaiting.deadline - workflow.now()).total_seconds(), 1.0)
        try:
            await workflow.wait_condition(
                lambda: record.status.is_final,
                timeout=remaining,
                timeout_summary=support_view.report_timer_summary(record.message_key),
            )
        except TimeoutError:
            # A lost callback is not a failed SMS: ask before falling back (counted as a
            # send in progress, so the run does not continue as new meanwhile).
            with self._ctx.sending():
                report = await self._reconcile(record)
            if report is not None:
                apply_report(record, report)
            if not record.status.is_final:
                limit = self._ctx.policy.delivery_report_timeout_seconds
                detail = f"no final delivery report within {limit:.0f}s"
                records.set_status(
                    self._ctx, record, DeliveryStatus.NO_REPORT, detail=detail, decided=True
                )
        await self._settle(awaiting, record)

    async def _reconcile(self, record: MessageRecord) -> DeliveryReport | None:
        """The message's final report from the store or the provider; None if neither has
        one (or they cannot be asked): then the deadline counts as a failure, as before."""
        if not record.provider_message_id:
            return None
        try:
            reconciled = await workflow.execute_activity(
                "reconcile_delivery_report",
                ReconcileInput(
                    message_key=record.message_key,
                    provider_message_id=record.provider_message_id,
                ),
                result_type=Reconciled,
                start_to_close_timeout=RECONCILE_TIMEOUT,
                retry_policy=RECONCILE_RETRY,
                summary=f"ask the provider for the report of {record.message_key}",
            )
        except ActivityError:
            return None
        return reconciled.report

    async def _settle(self, awaiting: AwaitingReport, record: MessageRecord) -> None:
        """The message's report is final (or overdue): fall back if it failed."""
        state, history = self._ctx.state, self._ctx.history
        state.awaiting = [a for a in state.awaiting if a.message_key != record.message_key]
        if record.status.is_failure and self.failover is not None:
            with self._ctx.sending():
                if await self.failover(awaiting, record):
                    self._ctx.publish()
                    return
        if record.status.is_failure:
            with self._ctx.sending():
                await self._fallback.after_failed_sms(
                    awaiting.event, record, awaiting.fallback_channels, awaiting.occurrence
                )
        elif not state.awaiting and history.state in (
            NotificationState.AWAITING_REPORT,
            NotificationState.SENDING,
        ):
            history.state = NotificationState.DELIVERED
        self._ctx.publish()


def apply_report(record: MessageRecord, report: DeliveryReport) -> None:
    """Every report goes on the record's list; only one that moves it forward changes it."""
    status = delivery_status_from_twilio(report.status)
    if status is None:
        return
    code = report.error_code or None
    record.statuses.append(StatusChange(status=status, at=report.occurred_at, error_code=code))
    if record.status.is_final and record.status is not DeliveryStatus.NO_REPORT:
        return  # a late or repeated callback does not undo a final status
    if not status.is_final and STATUS_ORDER.get(status, 0) <= STATUS_ORDER.get(record.status, 0):
        return  # out-of-order callback: 'sent' after 'delivered' and the like
    record.status = status
    record.error_code = code or record.error_code
