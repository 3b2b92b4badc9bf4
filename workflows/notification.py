"""One long-running workflow per order or return: milestones in, messages out.

The workflow decides (what is news, which channel, when to fall back) and waits (send
slots, delivery reports, the grace period after the last milestone); activities do the
I/O. A milestone's first send-policy decision is the one exception: the activity that
sends its SMS takes it, on the store's facts, and returns it (activities/decide_and_send.py).
Everything support needs is in its ``history`` query, its search attributes and its
current details; phone numbers appear masked in all of them.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta
from typing import TypeVar

from temporalio import workflow
from temporalio.common import RawValue, RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel, ValidationError

    from activities.conversation import (
        BookSlotInput,
        ComposeReplyInput,
        OfferSlotsInput,
        ReplyPurpose,
        SlotBooked,
        SlotsOffered,
        SupportRequested,
        SupportRequestInput,
        SupportRequestKind,
    )
    from activities.decide_and_send import DecideAndSendInput, DecidedSms, SendError
    from activities.delivery import REJECTED, SENDER_BUSY, UNAVAILABLE, MessageIdentity
    from activities.email import EmailSent, SendEmailInput
    from activities.policy import LoadPolicyInput, WorkflowPolicy
    from activities.policy_facts import PolicyFacts, PolicyFactsInput
    from activities.push import PushSent, SendPushInput
    from activities.record import DecidedStatus, RecordInput
    from activities.render import RenderInput
    from activities.sms import SendSmsInput, SmsSent
    from activities.throttle import ReserveSlotInput, SendSlot
    from conversation import dialogue
    from conversation.dialogue import CustomerReply
    from domain.events import PROBLEM_MILESTONES, MilestoneEvent
    from domain.milestones import PROGRESS_RANK, Kind
    from domain.phone import mask_email, mask_phone
    from domain.timeline import (
        Channel,
        DeliveryReport,
        DeliveryStatus,
        EntryKind,
        MessageRecord,
        MessagingHistory,
        NotificationState,
        StatusChange,
        TimelineEntry,
        delivery_status_from_twilio,
    )
    from messaging.render import RenderedMessage
    from policy.decision import PolicyAction, PolicyDecision, send_now
    from policy.duplicates import notified_milestone
    from policy.evaluate import PolicyRequest, evaluate
    from providers.support import ConversationLine
    from workflows import search_attributes as attrs
    from workflows.details import current_details
    from workflows.ordering import is_terminal, stale_reason
    from workflows.state import AwaitingReport, CarriedState, NotificationStart, Parked

ModelT = TypeVar("ModelT", bound=BaseModel)
LOCAL_TIMEOUT = timedelta(seconds=10)
LOCAL_RETRY = RetryPolicy(maximum_attempts=3, initial_interval=timedelta(milliseconds=200))
FALLBACK_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5),
    maximum_interval=timedelta(minutes=5),
    maximum_attempts=8,
    non_retryable_error_types=[REJECTED],
)
EARLY_REPORTS_KEPT = 50
REPLY_IDS_KEPT = 200  # a provider retries a webhook within minutes, not hundreds of replies
CONVERSATION_LINES_KEPT = 20  # what support gets with a hand-over
CONVERSATION_TIMEOUT = timedelta(seconds=30)
CONVERSATION_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    maximum_interval=timedelta(minutes=1),
    maximum_attempts=10,
    non_retryable_error_types=[REJECTED],
)
# Versions of this workflow's logic, for histories that started before each change.
SEND_POLICY = "send-policy"  # consent, preferences, caps, quiet hours, coalescing
SHORT_SLOT_WAITS = "short-slot-waits"  # sub-second slot waits inside the activity
# One local activity per milestone (policy facts and SMS text), the send slot reserved by
# the send activity, search attributes upserted only when they change: fewer events.
PREPARED_SENDS = "prepared-sends"
TWO_WAY = "two-way"  # customer replies answered; delivery exceptions alert support
HOLD_REDECISIONS = "hold-redecisions"  # a hold decided again: fresh merge count, new reason
# The send activity waits for the final delivery report, which completes it: no signal,
# no timer and no workflow task of their own for a report that comes within the wait.
REPORTS_WITH_SEND = "reports-with-send"
# A milestone's first decision is made by the activity that sends its SMS: no local
# activity, activation and marker of its own (activities/decide_and_send.py).
DECIDING_SENDS = "deciding-sends"
VERSIONS = (
    SEND_POLICY,
    SHORT_SLOT_WAITS,
    PREPARED_SENDS,
    TWO_WAY,
    HOLD_REDECISIONS,
    REPORTS_WITH_SEND,
    DECIDING_SENDS,
)
# Progress order, for deciding whether a delivery report may replace the status we hold.
STATUS_ORDER = {DeliveryStatus.PENDING: 0, DeliveryStatus.ACCEPTED: 1, DeliveryStatus.SENT: 2}


@workflow.defn(name="HeraldNotification")
class NotificationWorkflow:
    @workflow.init
    def __init__(self, start: NotificationStart) -> None:
        workflow_id = workflow.info().workflow_id
        self._state = start.carried or CarriedState(
            history=MessagingHistory(
                workflow_id=workflow_id, kind=start.kind, reference=start.reference
            )
        )
        self._policy = WorkflowPolicy()
        self._to_record: list[TimelineEntry] = []
        self._decided: list[DecidedStatus] = []
        self._trackers: set[asyncio.Task[None]] = set()
        self._sending = 0  # sends in progress outside the main loop: no continue-as-new then
        self._send_policy = False  # decided in run(), before anything else
        self._short_slot_waits = False
        self._prepared_sends = False
        self._published: dict[str, str] = {}  # search attributes as last upserted
        self._two_way = False
        self._hold_redecisions = False
        self._reports_with_send = False
        self._deciding_sends = False

    # ---- the run -------------------------------------------------------------------------

    @workflow.run
    async def run(self, start: NotificationStart) -> MessagingHistory:
        # Versions are decided once, before any local activity: a patch marker recorded
        # after a local activity can land in a later workflow task than the code that asked,
        # and a replay would then take the old path (a non-determinism error).
        self._decide_versions()
        self._policy = await workflow.execute_local_activity(
            "load_policy",
            LoadPolicyInput(workflow_id=workflow.info().workflow_id),
            result_type=WorkflowPolicy,
            start_to_close_timeout=LOCAL_TIMEOUT,
            retry_policy=LOCAL_RETRY,
            summary="load notification policy",
        )
        for awaiting in self._state.awaiting:
            self._start_tracker(awaiting)
        for parked in self._state.parked:
            self._start_task(self._hold(parked))
        if not (self._prepared_sends and self._state.pending):
            self._publish()  # else deciding the pending milestone publishes, in one upsert
        while True:
            await self._flush_records()
            if self._state.pending:
                await self._notify(self._state.pending.pop(0))
                continue
            if self._state.replies:
                await self._answer(self._state.replies.pop(0))
                continue
            if self._continue_as_new_due():
                await self._continue_as_new()
            if await self._idle_until_work():
                break
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self._flush_records()
        self._history.state = NotificationState.COMPLETED
        self._publish()
        return self._history

    def _decide_versions(self) -> None:
        """The newest version implies every older one, so a new run records one patch
        marker, not one per version: each marker also upserts TemporalChangeVersion (an
        event and a visibility write). A run from before it has no such marker and asks
        for the older versions one by one, as it did when it was recorded."""
        self._deciding_sends = workflow.patched(DECIDING_SENDS)
        self._reports_with_send = self._deciding_sends or workflow.patched(REPORTS_WITH_SEND)
        if self._reports_with_send:
            self._send_policy = self._short_slot_waits = self._prepared_sends = True
            self._two_way = self._hold_redecisions = True
            return
        self._send_policy = workflow.patched(SEND_POLICY)
        self._short_slot_waits = workflow.patched(SHORT_SLOT_WAITS)
        self._prepared_sends = workflow.patched(PREPARED_SENDS)
        self._two_way = workflow.patched(TWO_WAY)
        self._hold_redecisions = workflow.patched(HOLD_REDECISIONS)

    async def _idle_until_work(self) -> bool:
        """Wait for something to do; True when the grace period after the end has passed."""

        def has_work() -> bool:
            state = self._state
            return bool(state.pending or state.replies or self._to_record or self._decided) or (
                self._continue_as_new_due()
            )

        terminal_at = self._state.terminal_reached_at
        if terminal_at is None or self._state.awaiting or self._state.parked:
            await workflow.wait_condition(
                lambda: (
                    has_work()
                    or (
                        terminal_at is not None
                        and not self._state.awaiting
                        and not self._state.parked
                    )
                )
            )
            return False
        grace = terminal_at + timedelta(seconds=self._policy.completion_grace_seconds)
        remaining = (grace - workflow.now()).total_seconds()
        if remaining <= 0:
            return True
        try:
            await workflow.wait_condition(
                has_work, timeout=remaining, timeout_summary="grace period"
            )
        except TimeoutError:
            return True
        return False

    # ---- signals and queries ----------------------------------------------------------------

    @workflow.signal(name="milestone")
    def on_milestone(self, raw: RawValue) -> None:
        event = self._decode(raw, MilestoneEvent, "milestone")
        if event is None:
            return
        if event.workflow_id != workflow.info().workflow_id:
            self._note(
                EntryKind.MALFORMED_SIGNAL, f"event {event.event_id} is for {event.workflow_id}"
            )
            return
        if event.event_id in self._state.seen_event_ids:
            self._note(EntryKind.DUPLICATE_IGNORED, f"event {event.event_id} seen before", event)
            return
        self._state.seen_event_ids.append(event.event_id)
        self._state.pending.append(event)

    @workflow.signal(name="delivery_report")
    def on_delivery_report(self, raw: RawValue) -> None:
        report = self._decode(raw, DeliveryReport, "delivery_report")
        if report is None:
            return
        record = self._message_by_provider_id(report.provider_message_id)
        if record is None:
            # The callback can beat the send activity's result back to the workflow.
            early = self._state.early_reports
            early.append(report)
            del early[:-EARLY_REPORTS_KEPT]
            return
        self._apply_report(record, report)
        self._publish()

    @workflow.signal(name="customer_reply")
    def on_customer_reply(self, raw: RawValue) -> None:
        reply = self._decode(raw, CustomerReply, "customer_reply")
        if reply is None:
            return
        seen = self._state.seen_reply_ids
        if reply.message_sid and reply.message_sid in seen:
            self._note(EntryKind.DUPLICATE_IGNORED, f"reply {reply.message_sid} seen before")
            return
        if reply.message_sid:
            seen.append(reply.message_sid)
            del seen[:-REPLY_IDS_KEPT]
        self._state.replies.append(reply)

    @workflow.query(name="history")
    def history(self) -> MessagingHistory:
        return self._history

    # ---- one milestone ----------------------------------------------------------------------

    async def _notify(self, event: MilestoneEvent) -> None:
        self._note(
            EntryKind.MILESTONE_RECEIVED, f"{event.milestone.value} ({event.event_id})", event
        )
        reason = stale_reason(
            event,
            last_rank=self._state.last_rank,
            last_event_at=self._state.last_event_at,
            terminal_reached=self._state.terminal_reached_at is not None,
        )
        if reason:
            self._note(EntryKind.STALE_IGNORED, reason, event)
            return
        self._advance(event)
        if self._two_way and event.milestone in PROBLEM_MILESTONES:
            self._start_task(self._alert_support(event))  # at once, beside the customer's SMS
        if self._send_policy:
            await self._decide_and_act(self._parked(event))
            self._publish()
            return
        self._history.state = NotificationState.SENDING
        self._publish()
        customer = event.customer
        if customer.phone:
            await self._send_sms(event, customer.phone)
        elif customer.email or customer.push_token:
            await self._send_other_channels(event)
        else:  # the model requires some contact; kept for safety with older histories
            self._note(
                EntryKind.NO_CHANNEL, "the customer has no phone, e-mail or push token", event
            )
        self._publish()

    def _advance(self, event: MilestoneEvent) -> None:
        state = self._state
        state.last_rank = max(state.last_rank, PROGRESS_RANK.get(event.milestone, 0))
        state.last_event_at = max(filter(None, [state.last_event_at, event.occurred_at]))
        self._history.last_milestone = event.milestone
        state.occurrences[event.milestone.value] = (
            state.occurrences.get(event.milestone.value, 0) + 1
        )
        if is_terminal(event):
            state.terminal_reached_at = workflow.now()
        state.last_event = event

    # ---- the send policy (consent, preferences, caps, quiet hours, coalescing) -------------

    def _parked(self, event: MilestoneEvent) -> Parked:
        state = self._state
        state.arrivals.append(event.milestone)
        return Parked(
            event=event,
            received_at=workflow.now(),
            arrival=len(state.arrivals) - 1,
            occurrence=state.occurrences[event.milestone.value],
        )

    async def _decide(self, parked: Parked) -> tuple[PolicyDecision, PolicyFacts]:
        facts = await self._gather_facts(parked, render_sms=self._prepared_sends)
        return self._evaluate(parked, facts), facts

    def _evaluate(self, parked: Parked, facts: PolicyFacts) -> PolicyDecision:
        request = self._policy_request(parked).model_copy(
            update={
                "sms_consent": facts.sms_consent,
                "muted": tuple(facts.muted),
                "recent_sms": tuple(facts.recent_sms),
            }
        )
        return evaluate(request, workflow.now(), self._policy.rules)

    async def _gather_facts(
        self, parked: Parked, *, render_sms: bool, claimed_key: str | None = None
    ) -> PolicyFacts:
        event, customer = parked.event, parked.event.customer
        render_sms = render_sms and customer.phone is not None
        return await workflow.execute_local_activity(
            "gather_policy_facts",
            PolicyFactsInput(
                milestone=event.milestone,
                phone=customer.phone,
                email=customer.email,
                sms_of=event if render_sms else None,
                claimed_key=claimed_key,
            ),
            result_type=PolicyFacts,
            start_to_close_timeout=LOCAL_TIMEOUT,
            retry_policy=LOCAL_RETRY,
            summary=f"send policy for {event.milestone.value}: consent, preferences, recent sends"
            + (", SMS text" if render_sms else ""),
        )

    def _policy_request(self, parked: Parked) -> PolicyRequest:
        """What the workflow knows for the policy; the store's facts are added to it."""
        event, customer = parked.event, parked.event.customer
        return PolicyRequest(
            candidate=notified_milestone(event),
            received_at=parked.received_at,
            phone=customer.phone,
            has_email=customer.email is not None,
            has_push=customer.push_token is not None,
            profile_time_zone=customer.time_zone,
            notified=tuple(self._state.notified),
            arrived_since=tuple(self._state.arrivals[parked.arrival + 1 :]),
        )

    async def _decide_and_act(self, parked: Parked) -> None:
        if self._deciding_sends and parked.event.customer.phone:
            await self._decide_by_sending(parked, parked.event.customer.phone)
            return
        decision, facts = await self._decide(parked)
        await self._act(parked, decision, facts)

    async def _act(
        self, parked: Parked, decision: PolicyDecision, facts: PolicyFacts | None
    ) -> None:
        if decision.action is PolicyAction.SEND:
            await self._send_decided(parked, decision, facts)
        elif decision.action is PolicyAction.HOLD or decision.hold_until is not None:
            self._park(parked, decision)
        else:
            kind = (
                EntryKind.MERGED if decision.action is PolicyAction.MERGE else EntryKind.SUPPRESSED
            )
            self._note(kind, f"{decision.rule.value}: {decision.reason}", parked.event)

    async def _decide_by_sending(self, parked: Parked, phone: str) -> None:
        """One activity decides and, when the decision is an SMS now, sends it."""
        event = parked.event
        recipient = mask_phone(phone)
        wait = self._policy.delivery_report_wait_seconds
        identity = self._new_identity(event, Channel.SMS, recipient, parked.occurrence)
        try:
            outcome: DecidedSms = await workflow.execute_activity(
                "decide_and_send_sms",
                DecideAndSendInput(
                    identity=identity,
                    event=event,
                    policy=self._policy_request(parked),
                    report_wait_seconds=wait,
                ),
                result_type=DecidedSms,
                start_to_close_timeout=self._send_timeout + timedelta(seconds=wait),
                retry_policy=RetryPolicy(maximum_attempts=1),  # send_sms retries, if need be
                summary=f"send policy, then SMS {event.milestone.value} to {recipient}",
            )
        except ActivityError:  # it crashed or timed out
            await self._after_stopped_send(parked, identity.message_key)
            return
        if outcome.decision is not None and not outcome.sends_sms:
            await self._act(parked, outcome.decision, None)
            return
        fallback = (
            list(outcome.decision.fallback_channels)
            if outcome.decision is not None
            else await self._fallback_after_report(parked, outcome.final_report)
        )
        self._state.notified.append(notified_milestone(event))
        self._history.state = NotificationState.SENDING
        self._publish(search=False)
        await self._send_sms(
            event, phone, occurrence=parked.occurrence, fallback=fallback, decided=outcome
        )

    async def _after_stopped_send(self, parked: Parked, message_key: str) -> None:
        """The deciding send stopped. If it claimed the SMS's outbox row, it had decided to
        send: send_sms finishes that send, with the text claimed, and never sends twice (a
        decision taken again could differ, and a text rendered again too). Otherwise
        nothing was sent: decide again, the usual way."""
        facts = await self._gather_facts(parked, render_sms=True, claimed_key=message_key)
        if facts.claimed_sms is None:
            await self._act(parked, self._evaluate(parked, facts), facts)
            return
        fallback = tuple(_unmuted_others(parked.event, facts))
        decision = send_now((Channel.SMS,), fallback, "decided by the send that stopped")
        claimed = facts.model_copy(update={"sms": facts.claimed_sms, "sms_render_error": None})
        await self._send_decided(parked, decision, claimed)

    async def _fallback_after_report(
        self, parked: Parked, report: DeliveryReport | None
    ) -> list[Channel]:
        """The fallback of a send completed by its report, which carries no decision: none
        for a delivered SMS; for a failed one, the customer's other channels not turned off
        for this type (the caps and quiet hours that may now hold SMS back do not apply)."""
        status = delivery_status_from_twilio(report.status) if report else None
        if status is None or not status.is_failure:
            return []
        return _unmuted_others(parked.event, await self._gather_facts(parked, render_sms=False))

    def _park(self, parked: Parked, decision: PolicyDecision) -> None:
        kind = EntryKind.HELD if decision.action is PolicyAction.HOLD else EntryKind.MERGED
        self._note(kind, f"{decision.rule.value}: {decision.reason}", parked.event)
        parked.until = decision.hold_until
        parked.merge = decision.action is PolicyAction.MERGE
        parked.notified_when_parked = len(self._state.notified)
        parked.rule = decision.rule.value
        self._state.parked.append(parked)
        if self._history.state not in (
            NotificationState.SENDING,
            NotificationState.AWAITING_REPORT,
        ):
            self._history.state = NotificationState.HELD
        self._start_task(self._hold(parked))

    def _repark(self, parked: Parked, decision: PolicyDecision) -> None:
        """Decided again and still waiting: a merge counts only messages sent from now on
        (not one sent while it was held for the night), and a new reason is on record."""
        merge = decision.action is PolicyAction.MERGE
        if merge != parked.merge or decision.rule.value != parked.rule:
            kind = EntryKind.MERGED if merge else EntryKind.HELD
            self._note(kind, f"{decision.rule.value}: {decision.reason}", parked.event)
        parked.until, parked.merge, parked.rule = decision.hold_until, merge, decision.rule.value
        parked.notified_when_parked = len(self._state.notified)

    async def _hold(self, parked: Parked) -> None:
        """Wait on a durable timer (or for newer news), then decide again."""
        state = self._state
        while True:
            await self._wait_for_news(parked)
            if parked.merge and len(state.notified) > parked.notified_when_parked:
                self._unpark(parked)
                newer = state.notified[-1].milestone.value
                self._note(EntryKind.MERGED, f"carried by the {newer} message", parked.event)
                return
            decision, facts = await self._decide(parked)
            if decision.action is PolicyAction.HOLD or (
                decision.action is PolicyAction.MERGE and decision.hold_until is not None
            ):
                if self._hold_redecisions:
                    self._repark(parked, decision)
                else:  # histories from before: the count of the first park, no entry
                    parked.until = decision.hold_until
                    parked.merge = decision.action is PolicyAction.MERGE
                continue
            self._unpark(parked)
            if decision.action is PolicyAction.SEND:
                self._sending += 1
                try:
                    await self._send_decided(parked, decision, facts)
                finally:
                    self._sending -= 1
            else:
                kind = (
                    EntryKind.MERGED
                    if decision.action is PolicyAction.MERGE
                    else EntryKind.SUPPRESSED
                )
                self._note(kind, f"{decision.rule.value}: {decision.reason}", parked.event)
            self._publish()
            return

    async def _wait_for_news(self, parked: Parked) -> None:
        """Until the hold ends, or earlier: a hold wakes when a newer milestone arrives (it
        may supersede this one); a merge when the order's next message goes out."""
        state = self._state
        arrivals, notified = len(state.arrivals), len(state.notified)
        remaining = (parked.until - workflow.now()).total_seconds() if parked.until else None
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(
                lambda: (
                    len(state.notified) > notified
                    if parked.merge
                    else len(state.arrivals) > arrivals
                ),
                timeout=max(remaining, 1.0) if remaining is not None else None,
                timeout_summary=f"{parked.event.milestone.value} held by the send policy",
            )

    def _unpark(self, parked: Parked) -> None:
        self._state.parked = [p for p in self._state.parked if p.arrival != parked.arrival]

    async def _send_decided(
        self, parked: Parked, decision: PolicyDecision, facts: PolicyFacts | None
    ) -> None:
        event = parked.event
        self._state.notified.append(notified_milestone(event))
        self._history.state = NotificationState.SENDING
        # With reports in the send, the milestone's search attributes are upserted once,
        # when its send ends (mostly "delivered"): the Web UI's details show "sending".
        self._publish(search=not self._reports_with_send)
        phone = event.customer.phone
        fallback = list(decision.fallback_channels)
        if Channel.SMS in decision.channels and phone:
            await self._send_sms(
                event, phone, occurrence=parked.occurrence, fallback=fallback, prepared=facts
            )
        else:
            await self._send_other_channels(
                event, channels=list(decision.channels), occurrence=parked.occurrence
            )

    def _start_task(self, coroutine) -> None:  # type: ignore[no-untyped-def]
        task = asyncio.create_task(coroutine)
        self._trackers.add(task)
        task.add_done_callback(self._trackers.discard)

    async def _send_sms(
        self,
        event: MilestoneEvent,
        phone: str,
        *,
        occurrence: int | None = None,
        fallback: list[Channel] | None = None,
        prepared: PolicyFacts | None = None,
        decided: DecidedSms | None = None,
    ) -> None:
        """``prepared``: the policy facts with the SMS text; ``decided``: the activity that
        decided also sent it (or tried to)."""
        record = self._new_record(event, Channel.SMS, mask_phone(phone), occurrence)
        if decided is not None:
            prepared = PolicyFacts(
                sms=_rendered(decided, event), sms_render_error=decided.render_error
            )
        rendered = await self._sms_text(record, event, prepared)
        if rendered is None:
            await self._fall_back(event, record, fallback, occurrence)
            return
        record.body, record.encoding, record.segments = (
            rendered.text,
            rendered.encoding,
            rendered.segments,
        )
        record.estimated_cost_usd = rendered.estimated_cost_usd
        reserve_slot = self._prepared_sends  # the send activity reserves it
        if not reserve_slot:
            await self._wait_for_send_slot(record, event)
        report_wait = self._policy.delivery_report_wait_seconds if self._reports_with_send else 0
        sent = await self._send_within_limit(
            record, event, phone, rendered, reserve_slot, report_wait=report_wait, first=decided
        )
        if sent is None:
            await self._fall_back(event, record, fallback, occurrence)
            return
        awaiting = AwaitingReport(
            message_key=record.message_key,
            event=event,
            deadline=workflow.now()
            + timedelta(seconds=self._policy.delivery_report_timeout_seconds),
            fallback_channels=fallback,
            occurrence=occurrence,
        )
        self._state.awaiting.append(awaiting)
        if sent.final_report is not None:  # the send waited for it
            self._apply_report(record, sent.final_report)
        for report in [
            r
            for r in self._state.early_reports
            if r.provider_message_id == sent.provider_message_id
        ]:
            self._state.early_reports.remove(report)
            self._apply_report(record, report)
        if self._report_in_hand(record):
            await self._settle_report(awaiting, record)  # before the caller publishes
            return
        self._history.state = NotificationState.AWAITING_REPORT
        self._start_tracker(awaiting)

    def _report_in_hand(self, record: MessageRecord) -> bool:
        """The final report came with the send: the state goes from sending to its end
        without an "awaiting report" in between (one search-attribute upsert fewer)."""
        return self._reports_with_send and record.status.is_final

    async def _send_within_limit(
        self,
        record: MessageRecord,
        event: MilestoneEvent,
        phone: str,
        rendered: RenderedMessage,
        reserve_slot: bool,
        *,
        report_wait: float = 0.0,
        first: DecidedSms | None = None,
    ) -> SmsSent | None:
        """Hand the SMS to the provider, waiting while the sender is at its limit; None (and
        the record failed) when the provider refused it or every retry failed.

        ``report_wait``: how long the send activity may wait for the final report.
        ``first``: the first attempt, made by the activity that decided."""
        attempts_made = 0
        sent = first.sent() if first is not None else None
        if first is not None and sent is None:
            error = first.error or SendError(type=UNAVAILABLE, message="not sent")
            if error.type == REJECTED or (
                error.type == UNAVAILABLE and self._policy.sms_max_attempts <= 1
            ):
                self._fail_with(record, error.code, error.message, 1)
                return None
            # It reserved the sender's slot; a busy sender's refusal is not a provider try.
            reserve_slot, attempts_made = False, 0 if error.type == SENDER_BUSY else 1
            await self._wait_before_retry(error, event)
        while sent is None:
            try:
                sent = await self._call_send_sms(
                    record, event, phone, rendered, reserve_slot, report_wait, attempts_made
                )
            except ActivityError as err:
                retry_at = _sender_busy_until(err)
                if retry_at is None:
                    self._fail(record, err, DeliveryStatus.FAILED, attempts_before=attempts_made)
                    return None
                reserve_slot = False  # a refused first call reserved it: retry_at is the slot
                await self._wait_for_sender(retry_at, _error_text(err), event)
        record.provider_message_id, record.provider_calls = (
            sent.provider_message_id,
            sent.provider_calls,
        )
        self._set_status(
            record,
            DeliveryStatus.ACCEPTED,
            detail="deduplicated" if sent.deduplicated else None,
            at=sent.accepted_at,
        )
        self._remember_line("outbound", record.body)  # state only: no version needed
        return sent

    async def _wait_before_retry(self, error: SendError, event: MilestoneEvent) -> None:
        """After the deciding activity's attempt: the sender's slot, or the back-off."""
        if error.type == SENDER_BUSY and error.retry_at is not None:
            await self._wait_for_sender(error.retry_at, error.message, event)
            return
        backoff = error.retry_after_seconds or self._policy.sms_retry_initial_seconds
        await workflow.sleep(backoff, summary="SMS provider error: back-off")

    async def _wait_for_sender(self, retry_at: float, why: str, event: MilestoneEvent) -> None:
        wait = max(retry_at - workflow.now().timestamp(), 0.001)
        self._note(EntryKind.THROTTLED, f"{why}: waiting {wait:.1f}s", event)
        await workflow.sleep(wait, summary="sender at its limit")

    async def _sms_text(
        self, record: MessageRecord, event: MilestoneEvent, prepared: PolicyFacts | None
    ) -> RenderedMessage | None:
        """Rendered with the policy facts, or (older histories) by its own local activity;
        None when the template cannot render, which is recorded as the SMS failing."""
        if prepared is not None and prepared.sms is not None:
            return prepared.sms
        if prepared is not None and prepared.sms_render_error is not None:
            message = prepared.sms_render_error
            record.error_message = message
            self._set_status(record, DeliveryStatus.FAILED, detail=message, decided=True)
            self._note(EntryKind.RENDER_FAILED, message, event)
            return None
        try:
            return await workflow.execute_local_activity(
                "render_message",
                RenderInput(event=event, channel=Channel.SMS),
                result_type=RenderedMessage,
                start_to_close_timeout=LOCAL_TIMEOUT,
                retry_policy=LOCAL_RETRY,
                summary=f"render {event.milestone.value} SMS",
            )
        except ActivityError as err:
            self._fail(record, err, DeliveryStatus.FAILED)
            self._note(EntryKind.RENDER_FAILED, _error_text(err), event)
            return None

    async def _call_send_sms(
        self,
        record: MessageRecord,
        event: MilestoneEvent,
        phone: str,
        rendered: RenderedMessage,
        reserve_slot: bool,
        report_wait: float = 0.0,
        attempts_made: int = 0,
    ) -> SmsSent:
        return await workflow.execute_activity(
            "send_sms",
            SendSmsInput(
                identity=self._identity(record, event),
                to=phone,
                body=rendered.text,
                encoding=rendered.encoding,
                segments=rendered.segments,
                estimated_cost_usd=rendered.estimated_cost_usd,
                reserve_slot=reserve_slot,
                report_wait_seconds=report_wait,
            ),
            result_type=SmsSent,
            start_to_close_timeout=self._send_timeout + timedelta(seconds=report_wait),
            retry_policy=self._sms_retry(attempts_made),
            summary=f"SMS {event.milestone.value} to {record.recipient}",
        )

    async def _wait_for_send_slot(self, record: MessageRecord, event: MilestoneEvent) -> None:
        slot: SendSlot = await workflow.execute_local_activity(
            "reserve_send_slot",
            ReserveSlotInput(message_key=record.message_key),
            result_type=SendSlot,
            start_to_close_timeout=LOCAL_TIMEOUT,
            retry_policy=LOCAL_RETRY,
            summary="throttle check: reserve a send slot",
        )
        if self._short_slot_waits and slot.wait_seconds is not None:
            wait = slot.wait_seconds  # short waits were done in the activity
            if wait < 0.05:
                return
        else:
            wait = slot.not_before_epoch - workflow.now().timestamp()
            if wait <= 0.001:
                return
        if wait >= 1:
            self._note(
                EntryKind.THROTTLED, f"sender {slot.sender} busy: waiting {wait:.1f}s", event
            )
        await workflow.sleep(wait, summary=f"send slot for {slot.sender}")

    # ---- two-way: the customer's replies and support ---------------------------------------

    async def _answer(self, reply: CustomerReply) -> None:
        """One reply: what it means now (``conversation.dialogue``), then act and answer."""
        event = self._state.last_event
        self._note(EntryKind.REPLY_RECEIVED, f"{reply.intent.value}: {reply.text[:160]!r}", event)
        self._remember_line("inbound", reply.text, reply.received_at)
        # Not behind the two-way patch: no earlier history holds a customer_reply signal, so
        # runs started before it answer replies too (only their exception alerts are off).
        if event is None or not event.customer.phone:
            self._note(EntryKind.REPLY_IGNORED, "no milestone texted yet", event)
            return
        reply_key = f"{workflow.info().workflow_id}:reply-{reply.message_sid or workflow.uuid4()}"
        step = dialogue.next_step(
            self._state.dialogue,
            reply.intent,
            reply.choice,
            workflow.now(),
            reschedulable=event.kind is Kind.ORDER and self._state.terminal_reached_at is None,
        )
        if isinstance(step, dialogue.OfferSlots):
            await self._offer_slots(event, reply_key)
        elif isinstance(step, dialogue.BookSlot):
            await self._book_slot(event, step.slot_id, reply_key)
        elif isinstance(step, dialogue.AskForValidChoice):
            await self._compose_and_reply(event, ReplyPurpose.INVALID_CHOICE, reply_key, step.count)
        elif isinstance(step, dialogue.AnswerHelp):
            await self._compose_and_reply(event, ReplyPurpose.HELP, reply_key)
        elif isinstance(step, dialogue.OpenCallback):
            await self._ask_support(event, SupportRequestKind.CALLBACK, reply_key)
        elif isinstance(step, dialogue.HandToSupport):
            await self._ask_support(event, SupportRequestKind.REPLY, reply_key)
        else:
            self._note(EntryKind.REPLY_IGNORED, "consent keyword: the webhook answered it", event)
        self._publish()

    async def _offer_slots(self, event: MilestoneEvent, reply_key: str) -> None:
        offered = await self._converse(
            "offer_delivery_slots",
            OfferSlotsInput(event=event),
            SlotsOffered,
            f"delivery slots for {event.reference} from the OMS",
            event,
        )
        if not isinstance(offered, SlotsOffered):
            await self._ask_support(event, SupportRequestKind.REPLY, reply_key, "reschedule failed")
            return
        slot_ids = tuple(slot.slot_id for slot in offered.slots)
        state = self._state
        state.dialogue = (
            state.dialogue.with_offer(slot_ids, workflow.now())
            if slot_ids
            else state.dialogue.closed()
        )
        listed = ", ".join(f"{n} {s.start.isoformat()}" for n, s in enumerate(offered.slots, 1))
        self._note(EntryKind.SLOTS_OFFERED, f"{len(slot_ids)} offered: {listed or 'none'}", event)
        await self._reply(event, offered.reply, "slot_offer", reply_key)

    async def _book_slot(self, event: MilestoneEvent, slot_id: str, reply_key: str) -> None:
        booked = await self._converse(
            "book_delivery_slot",
            BookSlotInput(event=event, slot_id=slot_id, idempotency_key=reply_key),
            SlotBooked,
            f"book delivery slot {slot_id} for {event.reference}",
            event,
        )
        self._state.dialogue = self._state.dialogue.closed()
        if isinstance(booked, SlotBooked):
            slot = booked.slot
            detail = f"slot {slot.slot_id} {slot.start.isoformat()} to {slot.end.isoformat()}"
            self._note(
                EntryKind.RESCHEDULED, f"{detail}, confirmation {booked.confirmation_id}", event
            )
            await self._reply(event, booked.reply, "reschedule_confirmation", reply_key)
        elif _is_rejection(booked):  # taken meanwhile: offer what is free now
            await self._offer_slots(event, f"{reply_key}-again")
        else:
            await self._ask_support(event, SupportRequestKind.REPLY, reply_key, "booking failed")

    async def _ask_support(
        self,
        event: MilestoneEvent,
        kind: SupportRequestKind,
        reply_key: str,
        detail: str | None = None,
    ) -> None:
        """A call-back, or a reply Herald cannot act on: support gets it with the context."""
        requested = await self._converse(
            "request_support",
            SupportRequestInput(
                event=event,
                request=kind,
                idempotency_key=f"{reply_key}-{kind.value}",
                conversation=list(self._state.conversation),
                detail=detail,
            ),
            SupportRequested,
            f"{'call-back request' if kind is SupportRequestKind.CALLBACK else 'reply'} "
            f"for {event.reference} to support",
            event,
        )
        if not isinstance(requested, SupportRequested):
            return
        entry = (
            EntryKind.CALLBACK_REQUESTED
            if kind is SupportRequestKind.CALLBACK
            else EntryKind.SUPPORT_ALERTED
        )
        self._note(
            entry, f"ticket {requested.ticket_id}" + (f": {detail}" if detail else ""), event
        )
        if requested.reply is not None:
            purpose = "callback_promise" if kind is SupportRequestKind.CALLBACK else "to_support"
            await self._reply(event, requested.reply, purpose, reply_key)

    async def _alert_support(self, event: MilestoneEvent) -> None:
        """A delivery exception: support hears of it at once, with the order's context."""
        self._sending += 1
        try:
            alerted = await self._converse(
                "request_support",
                SupportRequestInput(
                    event=event,
                    request=SupportRequestKind.EXCEPTION,
                    idempotency_key=f"{workflow.info().workflow_id}:alert-{event.event_id}",
                    conversation=list(self._state.conversation),
                ),
                SupportRequested,
                f"{event.milestone.value} alert for {event.reference} to support",
                event,
            )
            if isinstance(alerted, SupportRequested):
                problem = (event.problem or event.milestone).value
                self._note(
                    EntryKind.SUPPORT_ALERTED, f"{problem}: alert {alerted.ticket_id}", event
                )
                self._publish()
        finally:
            self._sending -= 1

    async def _compose_and_reply(
        self, event: MilestoneEvent, purpose: ReplyPurpose, reply_key: str, choices: int = 0
    ) -> None:
        text: RenderedMessage = await workflow.execute_local_activity(
            "compose_reply",
            ComposeReplyInput(event=event, purpose=purpose, choices=choices),
            result_type=RenderedMessage,
            start_to_close_timeout=LOCAL_TIMEOUT,
            retry_policy=LOCAL_RETRY,
            summary=f"write the {purpose.value} reply",
        )
        await self._reply(event, text, purpose.value, reply_key)

    async def _reply(
        self, event: MilestoneEvent, text: RenderedMessage, purpose: str, reply_key: str
    ) -> None:
        """Text the customer back: the same send path as milestones, without pacing ahead
        (a reply is awaited) and without falling back (the customer is on SMS right now)."""
        phone = event.customer.phone or ""
        record = MessageRecord(
            message_key=f"{reply_key}:{purpose}:sms",
            milestone=event.milestone,
            channel=Channel.SMS,
            recipient=mask_phone(phone),
            body=text.text,
            encoding=text.encoding,
            segments=text.segments,
            estimated_cost_usd=text.estimated_cost_usd,
            purpose=purpose,
        )
        self._history.messages.append(record)
        # No slot reserved ahead: the send activity's permit still holds the sender's limit.
        await self._send_within_limit(record, event, phone, text, reserve_slot=False)

    async def _converse(
        self,
        activity_name: str,
        request: BaseModel,
        result_type: type[ModelT],
        summary: str,
        event: MilestoneEvent,
    ) -> ModelT | ActivityError:
        """One call to the OMS or support, with durable retries; a failure is noted and
        returned, so the caller can choose another way."""
        try:
            return await workflow.execute_activity(
                activity_name,
                request,
                result_type=result_type,
                start_to_close_timeout=CONVERSATION_TIMEOUT,
                retry_policy=CONVERSATION_RETRY,
                summary=summary,
            )
        except ActivityError as err:
            self._note(EntryKind.CONVERSATION_FAILED, f"{summary}: {_error_text(err)}", event)
            return err

    def _remember_line(self, direction: str, text: str, at: datetime | None = None) -> None:
        lines = self._state.conversation
        lines.append(ConversationLine(at=at or workflow.now(), direction=direction, text=text))
        del lines[:-CONVERSATION_LINES_KEPT]

    # ---- delivery reports ---------------------------------------------------------------------

    def _start_tracker(self, awaiting: AwaitingReport) -> None:
        self._start_task(self._track(awaiting))

    async def _track(self, awaiting: AwaitingReport) -> None:
        """Wait for the final report; no report in time counts as a failure."""
        record = self._message(awaiting.message_key)
        remaining = max((awaiting.deadline - workflow.now()).total_seconds(), 1.0)
        try:
            await workflow.wait_condition(
                lambda: record.status.is_final,
                timeout=remaining,
                timeout_summary=f"delivery report for {record.message_key}",
            )
        except TimeoutError:
            limit = self._policy.delivery_report_timeout_seconds
            detail = f"no final delivery report within {limit:.0f}s"
            self._set_status(record, DeliveryStatus.NO_REPORT, detail=detail, decided=True)
        await self._settle_report(awaiting, record)

    async def _settle_report(self, awaiting: AwaitingReport, record: MessageRecord) -> None:
        """The message's report is final (or overdue): fall back if it failed."""
        self._state.awaiting = [
            a for a in self._state.awaiting if a.message_key != record.message_key
        ]
        if record.status.is_failure:
            self._sending += 1
            try:
                await self._fall_back(
                    awaiting.event, record, awaiting.fallback_channels, awaiting.occurrence
                )
            finally:
                self._sending -= 1
        elif not self._state.awaiting and (
            self._history.state == NotificationState.AWAITING_REPORT
            or (self._history.state == NotificationState.SENDING and self._report_in_hand(record))
        ):
            self._history.state = NotificationState.DELIVERED
        self._publish()

    def _apply_report(self, record: MessageRecord, report: DeliveryReport) -> None:
        status = delivery_status_from_twilio(report.status)
        if status is None:
            return
        code = report.error_code or None
        record.statuses.append(StatusChange(status=status, at=report.occurred_at, error_code=code))
        if record.status.is_final and record.status is not DeliveryStatus.NO_REPORT:
            return  # a late or repeated callback does not undo a final status
        if not status.is_final and STATUS_ORDER.get(status, 0) <= STATUS_ORDER.get(
            record.status, 0
        ):
            return  # out-of-order callback: 'sent' after 'delivered' and the like
        record.status = status
        record.error_code = code or record.error_code

    # ---- falling back to e-mail and push --------------------------------------------------------

    async def _fall_back(
        self,
        event: MilestoneEvent,
        failed: MessageRecord,
        allowed: list[Channel] | None = None,
        occurrence: int | None = None,
    ) -> None:
        """E-mail and push after a failed SMS; ``allowed``: what the send policy permits."""
        channels = _reachable(event, allowed)
        if not channels:
            self._note(
                EntryKind.NO_CHANNEL, f"SMS {failed.status.value}; no e-mail or push token", event
            )
            self._history.state = NotificationState.FAILED
            return
        reason = f"SMS {failed.status.value}" + (
            f" ({failed.error_code})" if failed.error_code else ""
        )
        self._note(EntryKind.FALLBACK, f"{reason}: falling back to {', '.join(channels)}", event)
        await self._send_other_channels(
            event, fallback=True, channels=channels, occurrence=occurrence
        )

    async def _send_other_channels(
        self,
        event: MilestoneEvent,
        *,
        fallback: bool = False,
        channels: list[Channel] | None = None,
        occurrence: int | None = None,
    ) -> None:
        customer, reachable = event.customer, _reachable(event, channels)
        results: list[bool] = []
        if customer.email and Channel.EMAIL in reachable:
            results.append(await self._send_email(event, customer.email, occurrence))
        if customer.push_token and Channel.PUSH in reachable:
            results.append(await self._send_push(event, occurrence))
        if any(results):
            self._history.state = (
                NotificationState.FELL_BACK if fallback else NotificationState.DELIVERED
            )
        else:
            self._history.state = NotificationState.FAILED

    async def _send_email(
        self, event: MilestoneEvent, address: str, occurrence: int | None = None
    ) -> bool:
        record = self._new_record(event, Channel.EMAIL, mask_email(address), occurrence)
        sent = await self._send_by_activity(
            record,
            "send_email",
            SendEmailInput(identity=self._identity(record, event), event=event),
            EmailSent,
            f"e-mail {event.milestone.value} to {record.recipient}",
        )
        if sent is None:
            return False
        self._accepted(record, sent.subject, sent.text, sent.message_id, "the mail server")
        return True

    async def _send_push(self, event: MilestoneEvent, occurrence: int | None = None) -> bool:
        record = self._new_record(event, Channel.PUSH, "push token", occurrence)
        sent = await self._send_by_activity(
            record,
            "send_push",
            SendPushInput(identity=self._identity(record, event), event=event),
            PushSent,
            f"push {event.milestone.value}",
        )
        if sent is None:
            return False
        self._accepted(record, sent.title, sent.text, sent.provider_message_id, "the push provider")
        return True

    async def _send_by_activity(
        self,
        record: MessageRecord,
        activity_name: str,
        request: BaseModel,
        result_type: type[ModelT],
        summary: str,
    ) -> ModelT | None:
        """An e-mail or push send with its durable retries; None (the record failed) when
        the provider refused it or every retry failed."""
        try:
            return await workflow.execute_activity(
                activity_name,
                request,
                result_type=result_type,
                start_to_close_timeout=self._send_timeout,
                retry_policy=FALLBACK_RETRY,
                summary=summary,
            )
        except ActivityError as err:
            self._fail(record, err, DeliveryStatus.FAILED)
            return None

    def _accepted(
        self, record: MessageRecord, subject: str, body: str, provider_id: str, by: str
    ) -> None:
        record.subject, record.body, record.provider_message_id = subject, body, provider_id
        record.provider_calls = 1
        self._set_status(record, DeliveryStatus.SENT, detail=f"accepted by {by}")

    # ---- bookkeeping ------------------------------------------------------------------------

    @property
    def _history(self) -> MessagingHistory:
        return self._state.history

    def _new_record(
        self,
        event: MilestoneEvent,
        channel: Channel,
        recipient: str,
        occurrence: int | None = None,
    ) -> MessageRecord:
        record = MessageRecord(
            message_key=self._message_key(event, channel, occurrence),
            milestone=event.milestone,
            channel=channel,
            recipient=recipient,
            body="",
        )
        self._history.messages.append(record)
        return record

    def _message_key(
        self, event: MilestoneEvent, channel: Channel, occurrence: int | None = None
    ) -> str:
        occurrence = occurrence or self._state.occurrences.get(event.milestone.value, 1)
        workflow_id = workflow.info().workflow_id
        return f"{workflow_id}:{event.milestone.value}:{occurrence}:{channel.value}"

    def _identity(self, record: MessageRecord, event: MilestoneEvent) -> MessageIdentity:
        return MessageIdentity(
            message_key=record.message_key,
            workflow_id=workflow.info().workflow_id,
            kind=event.kind,
            reference=event.reference,
            milestone=event.milestone,
            channel=record.channel,
            attempt=record.attempt,
            recipient_masked=record.recipient,
            locale=event.customer.locale,
        )

    def _new_identity(
        self, event: MilestoneEvent, channel: Channel, recipient: str, occurrence: int
    ) -> MessageIdentity:
        """The identity of a message whose record is made only once it is sent."""
        key = self._message_key(event, channel, occurrence)
        record = MessageRecord(
            message_key=key,
            milestone=event.milestone,
            channel=channel,
            recipient=recipient,
            body="",
        )
        return self._identity(record, event)

    @property
    def _send_timeout(self) -> timedelta:
        return timedelta(seconds=self._policy.send_timeout_seconds)

    def _sms_retry(self, attempts_made: int = 0) -> RetryPolicy:
        return RetryPolicy(
            initial_interval=timedelta(seconds=self._policy.sms_retry_initial_seconds),
            backoff_coefficient=2.0,
            maximum_interval=timedelta(seconds=self._policy.sms_retry_max_seconds),
            maximum_attempts=max(self._policy.sms_max_attempts - attempts_made, 1),
            non_retryable_error_types=[REJECTED, SENDER_BUSY],
        )

    def _set_status(
        self,
        record: MessageRecord,
        status: DeliveryStatus,
        *,
        detail: str | None = None,
        code: str | None = None,
        decided: bool = False,
        at: datetime | None = None,
    ) -> None:
        at = at or workflow.now()
        change = StatusChange(status=status, at=at, error_code=code, detail=detail)
        record.status = status
        record.statuses.append(change)
        if decided:  # the provider's statuses reach the store through the HTTP service
            self._decided.append(DecidedStatus(message_key=record.message_key, change=change))

    def _fail(
        self,
        record: MessageRecord,
        err: ActivityError,
        status: DeliveryStatus,
        *,
        attempts_before: int = 0,
    ) -> None:
        """``attempts_before``: provider calls made before this activity (by another one)."""
        detail = _error_detail(err)
        code = str(detail["code"]) if detail.get("code") else None
        message = str(detail.get("message") or _error_text(err))
        attempts = int(str(detail.get("attempt") or 0)) + attempts_before
        self._fail_with(record, code, message, attempts, status)

    def _fail_with(
        self,
        record: MessageRecord,
        code: str | None,
        message: str,
        attempts: int,
        status: DeliveryStatus = DeliveryStatus.FAILED,
    ) -> None:
        record.error_code, record.error_message = code, message
        record.provider_calls = max(record.provider_calls, attempts)
        self._set_status(record, status, detail=message, code=code, decided=True)

    def _message(self, message_key: str) -> MessageRecord:
        return next(m for m in self._history.messages if m.message_key == message_key)

    def _message_by_provider_id(self, provider_id: str) -> MessageRecord | None:
        return next(
            (m for m in self._history.messages if m.provider_message_id == provider_id), None
        )

    def _note(self, kind: EntryKind, detail: str, event: MilestoneEvent | None = None) -> None:
        entry = TimelineEntry(
            entry_id=str(workflow.uuid4()),
            at=workflow.now(),
            kind=kind,
            detail=detail,
            milestone=event.milestone if event else None,
            event_id=event.event_id if event else None,
        )
        self._history.entries.append(entry)
        if kind is not EntryKind.MILESTONE_RECEIVED:  # messages are in the store already
            self._to_record.append(entry)

    def _decode(self, raw: RawValue, model: type[ModelT], signal: str) -> ModelT | None:
        """Decode a signal's payload ourselves, so a malformed one is noted, not fatal."""
        try:
            return workflow.payload_converter().from_payload(raw.payload, model)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'payload'}: {e['msg']}"
                for e in exc.errors(include_input=False, include_url=False)
            )
            self._note(EntryKind.MALFORMED_SIGNAL, f"{signal} signal rejected: {problems}"[:1000])
        except Exception as exc:  # undecodable bytes, wrong encoding: same treatment
            self._note(
                EntryKind.MALFORMED_SIGNAL, f"{signal} signal rejected: {type(exc).__name__}"
            )
        return None

    async def _flush_records(self) -> None:
        if not (self._to_record or self._decided):
            return
        entries, statuses = self._to_record, self._decided
        self._to_record, self._decided = [], []
        await workflow.execute_local_activity(
            "record_timeline",
            RecordInput(
                workflow_id=workflow.info().workflow_id, entries=entries, statuses=statuses
            ),
            start_to_close_timeout=LOCAL_TIMEOUT,
            retry_policy=RetryPolicy(maximum_attempts=10, maximum_interval=timedelta(seconds=30)),
            summary=f"record {len(entries) + len(statuses)} timeline entries",
        )

    def _publish(self, *, search: bool = True) -> None:
        """The Web UI's current details and, when ``search``, the changed search attributes."""
        workflow.set_current_details(current_details(self._history))
        if search:
            self._upsert_search_attributes()

    def _upsert_search_attributes(self) -> None:
        history = self._history
        values = {
            attrs.ORDER_ID: history.reference,
            attrs.KIND: history.kind.value,
            attrs.LAST_MILESTONE: (
                history.last_milestone.value if history.last_milestone else "none"
            ),
            attrs.NOTIFICATION_STATE: history.state.value,
        }
        if self._prepared_sends:  # each upsert is a command and an event: changes only
            values = {k: v for k, v in values.items() if self._published.get(k.name) != v}
            self._published.update({k.name: v for k, v in values.items()})
        if values:
            workflow.upsert_search_attributes([k.value_set(v) for k, v in values.items()])

    # ---- bounded history ----------------------------------------------------------------------

    def _continue_as_new_due(self) -> bool:
        if self._sending:
            return False  # a parked message or a fallback is mid-send: its state is not settled
        info = workflow.info()
        return info.is_continue_as_new_suggested() or (
            info.get_current_history_length() >= self._policy.history_event_limit
        )

    async def _continue_as_new(self) -> None:
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self._flush_records()
        self._note(EntryKind.CONTINUED_AS_NEW, f"run {self._state.runs} handed over")
        self._state.runs += 1
        history = self._history
        workflow.continue_as_new(
            NotificationStart(kind=history.kind, reference=history.reference, carried=self._state)
        )


def _reachable(event: MilestoneEvent, allowed: list[Channel] | None) -> list[Channel]:
    """E-mail and push where the customer has them (and, when given, the policy allows)."""
    customer = event.customer
    present = [
        channel
        for channel, contact in (
            (Channel.EMAIL, customer.email),
            (Channel.PUSH, customer.push_token),
        )
        if contact
    ]
    return present if allowed is None else [c for c in present if c in allowed]


def _unmuted_others(event: MilestoneEvent, facts: PolicyFacts) -> list[Channel]:
    """E-mail and push where the customer has them and has not turned them off."""
    return [c for c in _reachable(event, None) if c not in facts.muted]


def _rendered(decided: DecidedSms, event: MilestoneEvent) -> RenderedMessage | None:
    """The SMS text the deciding activity rendered, as the render step gives it."""
    if decided.render_error is not None:
        return None
    return RenderedMessage(
        channel=Channel.SMS,
        locale=event.customer.locale,
        text=decided.body or "",
        encoding=decided.encoding,
        segments=decided.segments,
        estimated_cost_usd=decided.estimated_cost_usd,
    )


def _is_rejection(outcome: object) -> bool:
    """A refusal that retrying cannot change (a slot taken, an unknown order)."""
    cause = outcome.cause if isinstance(outcome, ActivityError) else None
    return isinstance(cause, ApplicationError) and cause.type == REJECTED


def _sender_busy_until(err: ActivityError) -> float | None:
    """When the sender may send again, if the send was refused only for its limit."""
    cause = err.cause
    if isinstance(cause, ApplicationError) and cause.type == SENDER_BUSY:
        retry_at = _error_detail(err).get("retry_at")
        return float(str(retry_at)) if retry_at is not None else None
    return None


def _error_detail(err: ActivityError) -> dict[str, object]:
    cause = err.cause
    if isinstance(cause, ApplicationError) and cause.details and isinstance(cause.details[0], dict):
        return cause.details[0]
    return {}


def _error_text(err: ActivityError) -> str:
    cause = err.cause
    return cause.message if isinstance(cause, ApplicationError) else str(cause or err)
