"""Decide a milestone's SMS and send it, in one activity: the usual path of a milestone.

The send policy needs facts from the store (consent, preferences, recent sends) and the
SMS its text. Here the facts are read, the pure policy (policy/decide.py, the function the
workflow's own decisions call) is applied and, when it says "SMS now", the SMS is sent,
in one activity. Why the decision is taken here rather than in the workflow (a workflow
task saved per milestone) is written in workflows/deciding_send.py. The decision comes
back in the result, so the workflow's history still says what was decided and why; holds,
merges, suppressions and other channels are the workflow's to carry out.

Idempotent and at most one SMS, as ``send_sms``: the outbox row is keyed by the message.
This activity runs once (no retries): a provider error, a refusal or a busy sender is
returned, not raised, and the workflow retries with ``send_sms``, which finds the same
row. If the activity stops (a worker crash, a timeout), the workflow reads the row: one it
claimed is finished by ``send_sms`` with the text claimed (a decision or a rendering made
again could differ); without one, nothing was sent and the workflow decides again.

The frequency cap holds across workers: a decision to send is confirmed under the
recipient's lock (store/recipient_locks.py), which reads the recent sends again, decides
again and claims the outbox row (a claimed row counts as a recent send) before letting go;
two orders for one phone deciding at once are then decided one after the other.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

from pydantic import BaseModel
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.delivery import REJECTED, MessageIdentity, new_outbox_message
from activities.policy_facts import PolicyFactsActivities, PolicyFactsInput
from activities.sms import SendSmsInput, SmsActivities, SmsSent
from config.policy import get_policy_settings
from domain.events import MilestoneEvent
from domain.timeline import Channel, DeliveryReport
from messaging.render import RenderedMessage
from observability import sends as observe
from observability.logs import logging_context
from policy.decide import decide
from policy.decision import PolicyAction, PolicyDecision
from policy.evaluate import PolicyRequest
from policy.rules import PolicyRules
from store.outbox import recipient_hash


class DecideAndSendInput(BaseModel):
    identity: MessageIdentity  # of the SMS, should the policy decide to send one
    event: MilestoneEvent  # its customer's phone is the recipient
    policy: PolicyRequest  # what the workflow knows; the activity adds the store's facts
    report_wait_seconds: float = 0.0  # as in SendSmsInput


class SendError(BaseModel):
    """Why the send did not go through: an ApplicationError of the send, as data."""

    type: str  # REJECTED, SENDER_BUSY, AWAITING_PROVIDER or UNAVAILABLE (delivery.py)
    message: str
    code: str | None = None
    retry_at: float | None = None  # SENDER_BUSY, AWAITING_PROVIDER: when to ask again (epoch s)
    retry_after_seconds: float | None = None  # UNAVAILABLE: the provider's Retry-After


class DecidedSms(BaseModel):
    """The decision and, when it was "SMS now", what became of the SMS.

    Its fields after ``decision`` are those of ``SmsSent`` plus the SMS's text. The HTTP
    service completes a send waiting for its report with them, for this activity and for
    ``send_sms`` alike (api/report_handover.py), and then ``decision`` is None.
    """

    decision: PolicyDecision | None = None
    provider_message_id: str | None = None
    provider_calls: int = 0
    deduplicated: bool = False
    accepted_at: datetime | None = None
    final_report: DeliveryReport | None = None
    body: str | None = None
    encoding: str | None = None
    segments: int | None = None
    estimated_cost_usd: Decimal | None = None
    render_error: str | None = None  # the SMS could not be rendered (a template bug)
    error: SendError | None = None
    provider: str = "twilio"
    route_reason: str | None = None
    route_order: list[str] = []

    @property
    def sends_sms(self) -> bool:
        """The policy decided to send this SMS now (or, with no decision, it was sent)."""
        decision = self.decision
        return decision is None or (
            decision.action is PolicyAction.SEND and Channel.SMS in decision.channels
        )

    def with_sent(self, sent: SmsSent) -> DecidedSms:
        return self.model_copy(update=sent.model_dump())

    def sent(self) -> SmsSent | None:
        if self.provider_message_id is None:
            return None
        return SmsSent.model_validate(self.model_dump(include=set(SmsSent.model_fields)))


class DecideAndSendActivities:
    def __init__(
        self,
        facts: PolicyFactsActivities,
        sms: SmsActivities,
        rules: Callable[[], PolicyRules] = lambda: get_policy_settings().rules(),
    ) -> None:
        self._facts = facts
        self._sms = sms
        self._rules = rules  # the worker's own, as every policy decision takes them

    @activity.defn(name="decide_and_send_sms")
    async def decide_and_send_sms(self, request: DecideAndSendInput) -> DecidedSms:
        event, customer = request.event, request.event.customer
        facts = await self._facts.gather_policy_facts(
            PolicyFactsInput(
                milestone=event.milestone,
                phone=customer.phone,
                email=customer.email,
                sms_of=event,
            )
        )
        # The same pure function as the workflow's own decisions (workflows/send_policy.py).
        decision = decide(
            request.policy,
            sms_consent=facts.sms_consent,
            muted=facts.muted,
            recent_sms=facts.recent_sms,
            now=datetime.now(UTC),
            rules=self._rules(),
        )
        observe.policy_decided(decision, event)
        decided = DecidedSms(decision=decision)
        if not decided.sends_sms:
            return decided
        if facts.sms is None:
            return decided.model_copy(update={"render_error": facts.sms_render_error})
        sms = facts.sms
        decision = await asyncio.to_thread(self._confirm_and_claim, request, sms)
        decided = DecidedSms(decision=decision)
        if not decided.sends_sms:
            return decided  # another order's SMS to this phone came first: the cap says no
        decided = decided.model_copy(
            update={
                "body": sms.text,
                "encoding": sms.encoding,
                "segments": sms.segments,
                "estimated_cost_usd": sms.estimated_cost_usd,
            }
        )
        send = SendSmsInput(
            identity=request.identity,
            to=customer.phone or "",
            body=sms.text,
            encoding=sms.encoding,
            segments=sms.segments,
            estimated_cost_usd=sms.estimated_cost_usd,
            reserve_slot=True,
            report_wait_seconds=request.report_wait_seconds,
        )
        identity = request.identity
        recorded = await observe.record_facts(
            self._sms.store,
            identity.message_key,
            identity.workflow_id,
            event,
            channel="sms",
            provider=observe.SMS_PROVIDER,
        )
        first = bool(recorded and recorded.first_of_event)

        def accepted(provider: str) -> None:
            observe.sms_accepted(event, first, sms.segments, sms.estimated_cost_usd, provider)

        try:
            with logging_context(
                workflow_id=identity.workflow_id, message_key=identity.message_key
            ):
                sent = await self._sms.send(
                    send, completes_as=decided.with_sent, on_accepted=accepted
                )
        except ApplicationError as error:  # refused, busy or failed: the workflow goes on
            if error.type == REJECTED:
                observe.sms_refused(event)
            return decided.model_copy(update={"error": send_error(error)})
        return decided.with_sent(sent)

    def _confirm_and_claim(
        self, request: DecideAndSendInput, sms: RenderedMessage
    ) -> PolicyDecision:
        """Decide again on fresh recent sends under the recipient's lock, and claim the
        SMS's outbox row (without a call yet) when the answer is still "send"."""
        event, phone = request.event, request.event.customer.phone or ""
        store = self._facts.store
        with store.recipient_locks.hold(recipient_hash(phone)):
            fresh = self._facts.read_facts(
                PolicyFactsInput(milestone=event.milestone, phone=phone, email=event.customer.email)
            )
            now = datetime.now(UTC)
            decision = decide(
                request.policy,
                sms_consent=fresh.sms_consent,
                muted=fresh.muted,
                recent_sms=fresh.recent_sms,
                now=now,
                rules=self._rules(),
            )
            if DecidedSms(decision=decision).sends_sms:
                message = new_outbox_message(
                    request.identity,
                    phone,
                    sms.text,
                    encoding=sms.encoding,
                    segments=sms.segments,
                    estimated_cost_usd=sms.estimated_cost_usd,
                    awaits_report=request.report_wait_seconds > 0,
                )
                store.outbox.claim(message, now)
        return decision


def send_error(error: ApplicationError) -> SendError:
    detail = error.details[0] if error.details and isinstance(error.details[0], dict) else {}
    retry_at = detail.get("retry_at")
    delay = error.next_retry_delay
    return SendError(
        type=error.type or "",
        message=error.message,
        code=str(detail["code"]) if detail.get("code") else None,
        retry_at=float(retry_at) if retry_at is not None else None,
        retry_after_seconds=delay.total_seconds() if delay else None,
    )
