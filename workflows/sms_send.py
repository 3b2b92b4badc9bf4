"""Sending one SMS: from its text to the provider's accept, through retries and busy senders.

Owns an SMS from the moment its text is known until the provider took it (then
delivery_reports.py owns it) or it is lost for good (then fallback.py): the record in the
history, a text that could not be rendered, the provider attempts with their exponential
back-off, a sender at its limit (the workflow sleeps on a durable timer until the slot the
store gave it, and asks again), and a refusal that no retry can change. The first attempt
of a milestone's SMS is usually made by the deciding send (deciding_send.py), whose result
comes in as ``first``; later attempts and every reply to the customer are ``send_sms``
activities made here.

Exactly one SMS across crashes: every attempt carries the same message key, which is the
outbox row's key in ``send_sms`` (activities/sms.py): a retry finds the row and never
calls the provider twice.

Where several SMS providers plug in (routing/, providers/): every provider call is one
``_attempt``, and the loop in ``send_within_limit`` sees each attempt's outcome as one of
``SmsOutcome``. The route (provider and sender, chosen by a routing activity before the
first attempt and kept on the record) belongs in ``_attempt``'s input. Failover within
one send (an outage, a refusal of the route) is the send activity's
(activities/routed_send.py). After a final report, or none, delivery_reports.py calls
``after_failed_report``, which asks ``routing/failover.next_step`` with the attempts read
from the history (the rule itself, never a copy: tests/workflows/test_failover.py holds
the two together) before fallback.py turns to e-mail. A further provider's attempt is a
new record with ``attempt`` + 1 and an outbox key of its own (``routing/keys.attempt_key``),
so each provider's exactly-once guarantee holds on its own row. Nothing else in the
workflow needs to know how many providers there are.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from enum import StrEnum

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.decide_and_send import DecidedSms, SendError
    from activities.delivery import AWAITING_PROVIDER, REJECTED, SENDER_BUSY, UNAVAILABLE
    from activities.sms import SendSmsInput, SmsSent
    from domain.events import MilestoneEvent
    from domain.phone import mask_phone
    from domain.timeline import Channel, DeliveryStatus, EntryKind, MessageRecord
    from messaging.render import RenderedMessage
    from routing.failover import Attempt, AttemptOutcome, next_step
    from routing.keys import attempt_key, root_key
    from workflows import message_records as records
    from workflows import support_view
    from workflows.delivery_reports import DeliveryReports
    from workflows.fallback import Fallback
    from workflows.run_context import RunContext
    from workflows.state import AwaitingReport


class SmsOutcome(StrEnum):
    """What one attempt came to, as the retry loop sees it."""

    ACCEPTED = "accepted"  # the provider took it: delivery_reports.py takes over
    REFUSED = "refused"  # for good (invalid number, opted out) or out of attempts
    SENDER_BUSY = "sender_busy"  # the sender's limit: wait for the slot, then ask again
    # An unanswered call's message not found yet: wait out the provider's acceptance
    # window, then look again (or call again), without spending an attempt.
    AWAITING_PROVIDER = "awaiting_provider"


class SmsSend:
    def __init__(self, ctx: RunContext, reports: DeliveryReports, fallback: Fallback) -> None:
        self._ctx = ctx
        self._reports = reports
        self._fallback = fallback

    async def send(
        self,
        event: MilestoneEvent,
        phone: str,
        *,
        occurrence: int | None,
        fallback: list[Channel] | None,
        text: RenderedMessage | None,
        render_error: str | None = None,
        first: DecidedSms | None = None,
    ) -> None:
        """A milestone's SMS with ``text`` (or, when it could not be rendered, the reason);
        ``first``: the deciding send's attempt; ``fallback``: the channels the send policy
        allows if the SMS is lost."""
        ctx = self._ctx
        record = records.new_record(ctx, event, Channel.SMS, mask_phone(phone), occurrence)
        if text is None:
            why = render_error or "the SMS has no text"
            record.error_message = why
            records.set_status(ctx, record, DeliveryStatus.FAILED, detail=why, decided=True)
            ctx.note(EntryKind.RENDER_FAILED, why, event)
            await self._fallback.after_failed_sms(event, record, fallback, occurrence)
            return
        record.body, record.encoding, record.segments = text.text, text.encoding, text.segments
        record.estimated_cost_usd = text.estimated_cost_usd
        sent = await self.send_within_limit(
            record,
            event,
            phone,
            text,
            reserve_slot=True,
            report_wait=ctx.policy.delivery_report_wait_seconds,
            first=first,
        )
        if sent is None:
            await self._fallback.after_failed_sms(event, record, fallback, occurrence)
            return
        await self._reports.after_accept(record, sent, event, fallback, occurrence)

    async def send_within_limit(
        self,
        record: MessageRecord,
        event: MilestoneEvent,
        phone: str,
        text: RenderedMessage,
        *,
        reserve_slot: bool,
        report_wait: float = 0.0,
        first: DecidedSms | None = None,
        provider: str | None = None,
    ) -> SmsSent | None:
        """Hand the SMS to the provider, waiting while the sender is at its limit; None (and
        the record failed) when the provider refused it or every attempt failed.

        ``reserve_slot``: the first attempt reserves the sender's pacing slot (replies do
        not: the permit before each call still keeps the sender's limit). ``report_wait``:
        how long the send activity may wait for the final report."""
        attempts_made = 0
        sent = first.sent() if first is not None else None
        if first is not None and sent is None:
            error = first.error or SendError(type=UNAVAILABLE, message="not sent")
            if error.type == REJECTED or (
                error.type == UNAVAILABLE and self._ctx.policy.sms_max_attempts <= 1
            ):
                records.fail_with(self._ctx, record, error.code, error.message, 1)
                return None
            # It reserved the sender's slot; a busy sender's refusal is not a provider try.
            reserve_slot, attempts_made = False, 0 if error.type == SENDER_BUSY else 1
            await self._wait_before_retry(error, event)
        while sent is None:
            outcome, result = await self._attempt(
                record, event, phone, text, reserve_slot, report_wait, attempts_made, provider
            )
            if outcome is SmsOutcome.ACCEPTED:
                assert isinstance(result, SmsSent)
                sent = result
            elif outcome is SmsOutcome.SENDER_BUSY:
                assert isinstance(result, ActivityError)
                reserve_slot = False  # a refused first call reserved it: retry_at is the slot
                busy_until = records.sender_busy_until(result) or workflow.now().timestamp()
                await self._wait_for_sender(busy_until, records.error_text(result), event)
            elif outcome is SmsOutcome.AWAITING_PROVIDER:
                assert isinstance(result, ActivityError)
                retry_at, calls = records.awaiting_provider(result) or (0.0, attempts_made)
                # The attempts spent are the calls made; the look-ups spent none.
                reserve_slot, attempts_made = False, max(attempts_made, calls)
                await self._wait_for_provider(retry_at, records.error_text(result), event)
            else:
                assert isinstance(result, ActivityError)
                records.fail(self._ctx, record, result, attempts_before=attempts_made)
                return None
        record.provider_message_id, record.provider_calls = (
            sent.provider_message_id,
            sent.provider_calls,
        )
        record.provider, record.route_reason = sent.provider, sent.route_reason
        record.route_order = list(sent.route_order)
        records.set_status(
            self._ctx,
            record,
            DeliveryStatus.ACCEPTED,
            detail="deduplicated" if sent.deduplicated else None,
            at=sent.accepted_at,
        )
        self._ctx.state.remember_line("outbound", record.body, workflow.now())
        return sent

    async def _attempt(
        self,
        record: MessageRecord,
        event: MilestoneEvent,
        phone: str,
        text: RenderedMessage,
        reserve_slot: bool,
        report_wait: float,
        attempts_made: int,
        provider: str | None = None,
    ) -> tuple[SmsOutcome, SmsSent | ActivityError]:
        """One ``send_sms`` activity, with the provider retries left in its retry policy."""
        try:
            sent = await workflow.execute_activity(
                "send_sms",
                SendSmsInput(
                    identity=records.identity(self._ctx, record, event),
                    to=phone,
                    body=text.text,
                    encoding=text.encoding,
                    segments=text.segments,
                    estimated_cost_usd=text.estimated_cost_usd,
                    reserve_slot=reserve_slot,
                    report_wait_seconds=report_wait,
                    provider=provider,
                ),
                result_type=SmsSent,
                start_to_close_timeout=self._ctx.send_timeout + timedelta(seconds=report_wait),
                retry_policy=self._retry_policy(attempts_made),
                summary=support_view.sms_summary(event, record.recipient),
            )
        except ActivityError as err:
            if records.sender_busy_until(err) is not None:
                return SmsOutcome.SENDER_BUSY, err
            if records.awaiting_provider(err) is not None:
                return SmsOutcome.AWAITING_PROVIDER, err
            return SmsOutcome.REFUSED, err
        return SmsOutcome.ACCEPTED, sent

    async def after_failed_report(self, awaiting: AwaitingReport, failed: MessageRecord) -> bool:
        """An SMS reported undelivered or failed: the next provider of its route sends it,
        under its own key, before e-mail; False when there is none (or it was not known to
        have failed: no report is no proof, and a second SMS could arrive twice)."""
        step = next_step(failed.route_order, route_attempts(self._ctx.history.messages, failed))
        if step.action != "send_next" or step.provider is None:
            return False
        following, event, ctx = step.provider, awaiting.event, self._ctx
        record = MessageRecord(
            message_key=attempt_key(root_key(failed.message_key), following),
            milestone=failed.milestone,
            channel=Channel.SMS,
            attempt=failed.attempt + 1,
            recipient=failed.recipient,
            body=failed.body,
            encoding=failed.encoding,
            segments=failed.segments,
            estimated_cost_usd=failed.estimated_cost_usd,
        )
        ctx.history.messages.append(record)
        why = f"SMS {failed.status.value} via {failed.provider}"
        ctx.note(EntryKind.FAILOVER, f"{why}: sending through {following}", event)
        text = RenderedMessage(
            channel=Channel.SMS,
            locale=event.customer.locale,
            text=failed.body,
            encoding=failed.encoding,
            segments=failed.segments,
            estimated_cost_usd=failed.estimated_cost_usd,
        )
        sent = await self.send_within_limit(
            record,
            event,
            event.customer.phone or "",
            text,
            reserve_slot=False,
            report_wait=ctx.policy.delivery_report_wait_seconds,
            provider=following,
        )
        if sent is None:
            await self._fallback.after_failed_sms(
                event, record, awaiting.fallback_channels, awaiting.occurrence
            )
            return True
        await self._reports.after_accept(
            record, sent, event, awaiting.fallback_channels, awaiting.occurrence
        )
        return True

    def _retry_policy(self, attempts_made: int) -> RetryPolicy:
        policy = self._ctx.policy
        return RetryPolicy(
            initial_interval=timedelta(seconds=policy.sms_retry_initial_seconds),
            backoff_coefficient=2.0,
            maximum_interval=timedelta(seconds=policy.sms_retry_max_seconds),
            maximum_attempts=max(policy.sms_max_attempts - attempts_made, 1),
            non_retryable_error_types=[REJECTED, SENDER_BUSY, AWAITING_PROVIDER],
        )

    async def _wait_before_retry(self, error: SendError, event: MilestoneEvent) -> None:
        """After the deciding send's attempt: the sender's slot, or the back-off."""
        if error.type == SENDER_BUSY and error.retry_at is not None:
            await self._wait_for_sender(error.retry_at, error.message, event)
            return
        if error.type == AWAITING_PROVIDER and error.retry_at is not None:
            await self._wait_for_provider(error.retry_at, error.message, event)
            return
        backoff = error.retry_after_seconds or self._ctx.policy.sms_retry_initial_seconds
        await workflow.sleep(backoff, summary=support_view.backoff_timer_summary())

    async def _wait_for_provider(self, retry_at: float, why: str, event: MilestoneEvent) -> None:
        wait = max(retry_at - workflow.now().timestamp(), 0.001)
        self._ctx.note(EntryKind.THROTTLED, f"{why} (in {wait:.1f}s)", event)
        await workflow.sleep(wait, summary=support_view.lookup_timer_summary())

    async def _wait_for_sender(self, retry_at: float, why: str, event: MilestoneEvent) -> None:
        wait = max(retry_at - workflow.now().timestamp(), 0.001)
        self._ctx.note(EntryKind.THROTTLED, f"{why}: waiting {wait:.1f}s", event)
        await workflow.sleep(wait, summary=support_view.sender_timer_summary())


def route_attempts(messages: Sequence[MessageRecord], failed: MessageRecord) -> list[Attempt]:
    """The provider attempts of ``failed``'s message, oldest first and ``failed`` last, as
    routing/failover.py reads them: every record under its root key that a provider took."""
    root = root_key(failed.message_key)
    earlier = [m for m in messages if m is not failed and root_key(m.message_key) == root]
    return [
        Attempt(m.provider, report_outcome(m.status))
        for m in [*earlier, failed]
        if m.provider is not None
    ]


def report_outcome(status: DeliveryStatus) -> AttemptOutcome:
    """A taken SMS's status as the failover rule reads it. Only a final failed report
    (undelivered, failed) is known failed; no report in time, or none yet, is "pending":
    the message may still reach the phone. A refusal before a provider took the message
    never gets here: ``send_within_limit`` hands it to fallback.py at once."""
    if status is DeliveryStatus.DELIVERED:
        return "delivered"
    if status in (DeliveryStatus.UNDELIVERED, DeliveryStatus.FAILED):
        return "failed"
    return "pending"
