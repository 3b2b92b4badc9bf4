"""A milestone's first decision, taken inside the activity that sends its SMS.

Owns the usual path of a milestone for a customer with a phone: one activity,
``decide_and_send_sms`` (activities/decide_and_send.py), reads the store's facts,
renders the SMS, applies the send policy and, when the decision is "SMS now", sends it
and waits for its final report.

Why the decision is taken inside the send activity, and not in the workflow before it:
deciding in the workflow needs the store's facts first, that is a local activity of its
own, and its result comes back in a workflow task of its own before the send can be
scheduled. Taking the decision inside the send saves that workflow task, an activity and
its marker event on every milestone: at the benchmark's load it was the largest single
cost per milestone after the send itself. It stays deterministic and explained: the
activity applies the same pure function the workflow uses (policy/decide.py) and returns
the decision, so the history still says what was decided and why, and a hold, a merge, a
suppression or another channel is carried out by the workflow (send_policy.py). Do not
move it back without measuring that cost.

A deciding send is not retried itself: an error of the provider, a refusal or a busy
sender comes back as data and sms_send.py retries with ``send_sms`` on the same message
key. If the activity stops (a worker crash, a timeout), the workflow asks the store
whether it claimed the SMS's outbox row: a claimed row is finished as claimed, never
decided or rendered again (the new decision or text could differ); without one, nothing
was sent and the workflow decides again.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.decide_and_send import DecideAndSendInput, DecidedSms
    from domain.events import MilestoneEvent
    from domain.phone import mask_phone
    from domain.timeline import (
        Channel,
        DeliveryReport,
        delivery_status_from_twilio,
    )
    from messaging.render import RenderedMessage
    from policy.decision import send_now
    from workflows import message_records as records
    from workflows import support_view
    from workflows.fallback import unmuted_others
    from workflows.run_context import RunContext
    from workflows.send_policy import SendPolicy
    from workflows.sms_send import SmsSend
    from workflows.state import Parked

ONE_ATTEMPT = RetryPolicy(maximum_attempts=1)  # sms_send.py retries, with send_sms


class DecidingSend:
    def __init__(self, ctx: RunContext, policy: SendPolicy, sms: SmsSend) -> None:
        self._ctx = ctx
        self._policy = policy
        self._sms = sms

    async def decide_and_send(self, parked: Parked, phone: str) -> None:
        ctx, event = self._ctx, parked.event
        recipient = mask_phone(phone)
        wait = ctx.policy.delivery_report_wait_seconds
        identity = records.unrecorded_identity(
            ctx, event, Channel.SMS, recipient, parked.occurrence
        )
        try:
            outcome: DecidedSms = await workflow.execute_activity(
                "decide_and_send_sms",
                DecideAndSendInput(
                    identity=identity,
                    event=event,
                    policy=self._policy.request(parked),
                    report_wait_seconds=wait,
                ),
                result_type=DecidedSms,
                start_to_close_timeout=ctx.send_timeout + timedelta(seconds=wait),
                retry_policy=ONE_ATTEMPT,
                summary=support_view.deciding_send_summary(event, recipient),
            )
        except ActivityError:  # it crashed or timed out
            await self._after_stopped_send(parked, identity.message_key)
            return
        if outcome.decision is not None and not outcome.sends_sms:
            await self._policy.act(parked, outcome.decision, None)
            return
        fallback = (
            list(outcome.decision.fallback_channels)
            if outcome.decision is not None
            else await self._fallback_after_report(parked, outcome.final_report)
        )
        self._policy.mark_sending(event)
        await self._sms.send(
            event,
            phone,
            occurrence=parked.occurrence,
            fallback=fallback,
            text=_text(outcome, event),
            render_error=outcome.render_error,
            first=outcome,
        )

    async def _after_stopped_send(self, parked: Parked, message_key: str) -> None:
        """Finish a claimed SMS as claimed; without a claim, decide again the usual way."""
        facts = await self._policy.gather_facts(parked, render_sms=True, claimed_key=message_key)
        if facts.claimed_sms is None:
            await self._policy.act(parked, self._policy.evaluate(parked, facts), facts)
            return
        fallback = tuple(unmuted_others(parked.event, facts.muted))
        decision = send_now((Channel.SMS,), fallback, "decided by the send that stopped")
        claimed = facts.model_copy(update={"sms": facts.claimed_sms, "sms_render_error": None})
        await self._policy.send_decided(parked, decision, claimed)

    async def _fallback_after_report(
        self, parked: Parked, report: DeliveryReport | None
    ) -> list[Channel]:
        """The fallback of a send the HTTP service completed with its report, which carries
        no decision: none for a delivered SMS; for a failed one, the customer's other
        channels not turned off for this type (caps and quiet hours do not apply to it)."""
        status = delivery_status_from_twilio(report.status) if report else None
        if status is None or not status.is_failure:
            return []
        facts = await self._policy.gather_facts(parked, render_sms=False)
        return unmuted_others(parked.event, facts.muted)


def _text(decided: DecidedSms, event: MilestoneEvent) -> RenderedMessage | None:
    """The SMS text the deciding send rendered, as the render step gives it."""
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
