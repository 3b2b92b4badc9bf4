"""One long-running workflow per order or return: milestones in, messages out.

This class owns the entity's life only: the signals that feed it (milestones, delivery
reports, customer replies), the ``history`` query, the main loop that takes one milestone
or reply at a time, completion after the grace period, and continue-as-new. Each concern
lives in a module of its own, all sharing one state (run_context.py, state.py):

- ordering.py: which milestones are news (duplicates, stale, after the end);
- deciding_send.py: a milestone's first decision, taken inside its SMS's send activity;
- send_policy.py: decisions the workflow takes itself: holds, merges, re-decisions;
- sms_send.py: one SMS from its text to the provider's accept (retries, busy sender);
- delivery_reports.py: the report that says delivered, undelivered or nothing in time;
- fallback.py: e-mail and push after a failed SMS, or for a customer without a phone;
- customer_replies.py: the conversation (rescheduling, call-backs, support);
- support_view.py: what support sees (current details, search attributes, summaries).

The workflow decides and waits; activities do the I/O. The versioning policy for changes
that would break the replay of running orders is in workflows/README.md.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar

from temporalio import workflow
from temporalio.common import RawValue

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel, ValidationError

    from activities.policy import LoadPolicyInput, WorkflowPolicy
    from conversation.dialogue import CustomerReply
    from domain.events import PROBLEM_MILESTONES, MilestoneEvent
    from domain.milestones import PROGRESS_RANK
    from domain.timeline import DeliveryReport, EntryKind, MessagingHistory, NotificationState
    from workflows import support_view
    from workflows.customer_replies import CustomerReplies
    from workflows.deciding_send import DecidingSend
    from workflows.delivery_reports import DeliveryReports
    from workflows.fallback import Fallback
    from workflows.ordering import is_terminal, stale_reason
    from workflows.run_context import LOCAL_RETRY, LOCAL_TIMEOUT, RunContext
    from workflows.send_policy import SendPolicy
    from workflows.sms_send import SmsSend
    from workflows.state import CarriedState, NotificationStart

ModelT = TypeVar("ModelT", bound=BaseModel)
REPLY_IDS_KEPT = 200  # a provider retries a webhook within minutes, not hundreds of replies


@workflow.defn(name="HeraldNotification")
class NotificationWorkflow:
    @workflow.init
    def __init__(self, start: NotificationStart) -> None:
        state = start.carried or CarriedState(
            history=MessagingHistory(
                workflow_id=workflow.info().workflow_id, kind=start.kind, reference=start.reference
            )
        )
        self._ctx = ctx = RunContext(state)
        fallback = Fallback(ctx)
        self._reports = DeliveryReports(ctx, fallback)
        sms = SmsSend(ctx, self._reports, fallback)
        self._reports.failover = sms.after_failed_report
        self._policy = SendPolicy(ctx, sms, fallback)
        self._deciding_send = DecidingSend(ctx, self._policy, sms)
        self._replies = CustomerReplies(ctx, sms)

    # ---- the run -------------------------------------------------------------------------

    @workflow.run
    async def run(self, start: NotificationStart) -> MessagingHistory:
        ctx = self._ctx
        ctx.policy = start.policy or await workflow.execute_local_activity(
            "load_policy",
            LoadPolicyInput(workflow_id=ctx.workflow_id),
            result_type=WorkflowPolicy,
            start_to_close_timeout=LOCAL_TIMEOUT,
            retry_policy=LOCAL_RETRY,
            summary=support_view.load_policy_summary(),
        )
        for awaiting in ctx.state.awaiting:
            self._reports.start_tracker(awaiting)
        for parked in ctx.state.parked:
            self._policy.resume(parked)
        if not ctx.state.pending:
            ctx.publish()  # else deciding the pending milestone publishes, in one upsert
        while True:
            await ctx.flush_records()
            if ctx.state.pending:
                await self._notify(ctx.state.pending.pop(0))
                continue
            if ctx.state.replies:
                await self._replies.answer(ctx.state.replies.pop(0))
                continue
            if self._continue_as_new_due():
                await self._continue_as_new()
            if await self._idle_until_work():
                break
        await workflow.wait_condition(workflow.all_handlers_finished)
        await ctx.flush_records()
        ctx.history.state = NotificationState.COMPLETED
        ctx.publish()
        return ctx.history

    async def _idle_until_work(self) -> bool:
        """Wait for something to do; True when the grace period after the end has passed."""
        state = self._ctx.state

        def has_work() -> bool:
            return bool(state.pending or state.replies or self._ctx.has_records) or (
                self._continue_as_new_due()
            )

        def open_messages() -> bool:
            return bool(state.awaiting or state.parked)

        terminal_at = state.terminal_reached_at
        if terminal_at is None or open_messages():
            await workflow.wait_condition(
                lambda: has_work() or (terminal_at is not None and not open_messages())
            )
            return False
        grace = terminal_at + timedelta(seconds=self._ctx.policy.completion_grace_seconds)
        remaining = (grace - workflow.now()).total_seconds()
        if remaining <= 0:
            return True
        try:
            await workflow.wait_condition(
                has_work, timeout=remaining, timeout_summary=support_view.grace_timer_summary()
            )
        except TimeoutError:
            return True
        return False

    # ---- signals and the query --------------------------------------------------------------

    @workflow.signal(name="milestone")
    def on_milestone(self, raw: RawValue) -> None:
        event = self._decode(raw, MilestoneEvent, "milestone")
        if event is None:
            return
        state = self._ctx.state
        if event.workflow_id != workflow.info().workflow_id:
            self._ctx.note(
                EntryKind.MALFORMED_SIGNAL, f"event {event.event_id} is for {event.workflow_id}"
            )
            return
        if event.event_id in state.seen_event_ids:
            self._ctx.note(
                EntryKind.DUPLICATE_IGNORED, f"event {event.event_id} seen before", event
            )
            return
        state.seen_event_ids.append(event.event_id)
        state.pending.append(event)

    @workflow.signal(name="delivery_report")
    def on_delivery_report(self, raw: RawValue) -> None:
        report = self._decode(raw, DeliveryReport, "delivery_report")
        if report is not None:
            self._reports.on_report(report)

    @workflow.signal(name="customer_reply")
    def on_customer_reply(self, raw: RawValue) -> None:
        reply = self._decode(raw, CustomerReply, "customer_reply")
        if reply is None:
            return
        seen = self._ctx.state.seen_reply_ids
        if reply.message_sid and reply.message_sid in seen:
            self._ctx.note(EntryKind.DUPLICATE_IGNORED, f"reply {reply.message_sid} seen before")
            return
        if reply.message_sid:
            seen.append(reply.message_sid)
            del seen[:-REPLY_IDS_KEPT]
        self._ctx.state.replies.append(reply)

    @workflow.query(name="history")
    def history(self) -> MessagingHistory:
        return self._ctx.history

    @workflow.query(name="timeline")
    def timeline(self) -> list[str]:
        """The history in plain words, a line per message and decision (the Queries tab)."""
        return support_view.plain_timeline(self._ctx.history)

    def _decode(self, raw: RawValue, model: type[ModelT], signal: str) -> ModelT | None:
        """Decode a signal's payload ourselves, so a malformed one is noted, not fatal."""
        try:
            return workflow.payload_converter().from_payload(raw.payload, model)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'payload'}: {e['msg']}"
                for e in exc.errors(include_input=False, include_url=False)
            )
            self._ctx.note(
                EntryKind.MALFORMED_SIGNAL, f"{signal} signal rejected: {problems}"[:1000]
            )
        except Exception as exc:  # undecodable bytes, wrong encoding: same treatment
            self._ctx.note(
                EntryKind.MALFORMED_SIGNAL, f"{signal} signal rejected: {type(exc).__name__}"
            )
        return None

    # ---- one milestone ----------------------------------------------------------------------

    async def _notify(self, event: MilestoneEvent) -> None:
        ctx, state = self._ctx, self._ctx.state
        ctx.note(EntryKind.MILESTONE_RECEIVED, f"{event.milestone.value} ({event.event_id})", event)
        reason = stale_reason(
            event,
            last_rank=state.last_rank,
            last_event_at=state.last_event_at,
            terminal_reached=state.terminal_reached_at is not None,
        )
        if reason:
            ctx.note(EntryKind.STALE_IGNORED, reason, event)
            return
        self._advance(event)
        if event.milestone in PROBLEM_MILESTONES:  # at once, beside the customer's SMS
            ctx.start_task(self._replies.alert_support(event))
        parked = self._policy.parked(event)
        if event.customer.phone:
            await self._deciding_send.decide_and_send(parked, event.customer.phone)
        else:
            await self._policy.decide_and_act(parked)
        ctx.publish()

    def _advance(self, event: MilestoneEvent) -> None:
        state = self._ctx.state
        state.last_rank = max(state.last_rank, PROGRESS_RANK.get(event.milestone, 0))
        state.last_event_at = max(filter(None, [state.last_event_at, event.occurred_at]))
        self._ctx.history.last_milestone = event.milestone
        state.occurrences[event.milestone.value] = (
            state.occurrences.get(event.milestone.value, 0) + 1
        )
        if is_terminal(event):
            state.terminal_reached_at = workflow.now()
        state.last_event = event

    # ---- bounded history ----------------------------------------------------------------------

    def _continue_as_new_due(self) -> bool:
        if not self._ctx.settled:
            return False  # a held message or a fallback is mid-send: its state is not settled
        info = workflow.info()
        return info.is_continue_as_new_suggested() or (
            info.get_current_history_length() >= self._ctx.policy.history_event_limit
        )

    async def _continue_as_new(self) -> None:
        ctx = self._ctx
        await workflow.wait_condition(workflow.all_handlers_finished)
        await ctx.flush_records()
        ctx.note(EntryKind.CONTINUED_AS_NEW, f"run {ctx.state.runs} handed over")
        ctx.state.runs += 1
        history = ctx.history
        workflow.continue_as_new(
            NotificationStart(kind=history.kind, reference=history.reference, carried=ctx.state)
        )
