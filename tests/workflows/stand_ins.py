"""Activities that stand in for the real ones in workflow tests (same names, no I/O).

Rendering stays real: it is pure, and the workflow's tests should see real bodies. So do
the conversation activities: they talk to the sandbox OMS and support desk in process.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.conversation import ConversationActivities
from activities.decide_and_send import DecideAndSendInput, DecidedSms, send_error
from activities.delivery import as_activity_error, awaiting_provider, rejected, sender_busy
from activities.email import EmailSent, SendEmailInput
from activities.policy import LoadPolicyInput, WorkflowPolicy
from activities.policy_facts import PolicyFacts, PolicyFactsInput
from activities.push import PushSent, SendPushInput
from activities.reconcile import Reconciled, ReconcileInput
from activities.record import RecordInput
from activities.sms import SendSmsInput, SmsSent
from config.conversation import ConversationSettings
from domain.timeline import Channel, DeliveryReport
from messaging.render import RenderedMessage, render_message
from policy.decide import decide
from providers.errors import ProviderError
from providers.oms import OmsClient
from providers.support import SupportDesk
from sandbox.oms import SandboxOms, create_oms_router
from sandbox.support import SandboxSupport, create_support_router
from tests.helpers.policies import permissive_rules


@dataclass
class FakeChannels:
    """Provider behaviour scripted per test; everything sent is kept for assertions."""

    policy: WorkflowPolicy = field(
        default_factory=lambda: WorkflowPolicy(
            sms_retry_initial_seconds=1,
            sms_retry_max_seconds=10,
            delivery_report_timeout_seconds=600,
            completion_grace_seconds=3600,
            rules=permissive_rules(),
        )
    )
    facts: PolicyFacts = field(default_factory=PolicyFacts)  # consent, preferences, sends
    fact_requests: list[PolicyFactsInput] = field(default_factory=list)
    sms_render_error: str | None = None  # a template that cannot render the SMS
    sms_errors: list[ProviderError] = field(default_factory=list)  # raised in order, then success
    sender_busy_until: list[float] = field(default_factory=list)  # epochs: "ask again then"
    # Seconds left of an unanswered call's acceptance window, one per look-up that finds
    # nothing yet (send_sms raises AWAITING_PROVIDER); then the look-up finds the message.
    awaiting_provider_seconds: list[float] = field(default_factory=list)
    lookups: list[float] = field(default_factory=list)  # when each look-up ran (epochs)
    slot_delay_seconds: float = 0.0
    sms: list[SendSmsInput] = field(default_factory=list)
    sms_calls: int = 0
    # Final reports (status, error code) a send that waits for its report returns, in order;
    # when none is left, the wait ends without one (as when the report is slow).
    reports_in_send: list[tuple[str, str | None]] = field(default_factory=list)
    # What reconcile_delivery_report finds at the provider for a report that never came:
    # (status, error code) in order; none left: the message is still on its way ("sent").
    reconciled: list[tuple[str, str | None]] = field(default_factory=list)
    reconcile_requests: list[ReconcileInput] = field(default_factory=list)
    # Routing's order for every SMS (activities/sms_routing.py); empty: Twilio alone.
    route_order: list[str] = field(default_factory=list)
    # decide_and_send_sms: crash (its worker died), or come back as the HTTP service
    # completes it with a final report: the SMS as sent, no decision.
    deciding_send_crashes: bool = False
    deciding_send_crashes_after_claim: bool = False  # the outbox row kept its text
    facts_after_claim: PolicyFacts | None = None  # what changed while it was down
    claimed: dict[str, str] = field(default_factory=dict)  # message key -> SMS text
    deciding_send_completed_by_report: bool = False
    emails: list[SendEmailInput] = field(default_factory=list)
    pushes: list[SendPushInput] = field(default_factory=list)
    recorded: list[RecordInput] = field(default_factory=list)
    oms: SandboxOms = field(default_factory=SandboxOms)
    support: SandboxSupport = field(default_factory=SandboxSupport)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def conversation(self) -> ConversationActivities:
        """The real conversation activities, over HTTP to the sandboxes, in process."""
        app = FastAPI()
        app.include_router(create_oms_router(self.oms))
        app.include_router(create_support_router(self.support))
        transport = httpx.ASGITransport(app=app)
        base = "http://sandbox"
        return ConversationActivities(
            ConversationSettings(),
            OmsClient(f"{base}/sandbox/oms", transport=transport),
            SupportDesk(f"{base}/sandbox/support", transport=transport),
        )

    def activities(self) -> list[Any]:
        conversation = self.conversation()
        return [
            conversation.offer_delivery_slots,
            conversation.book_delivery_slot,
            conversation.request_support,
            conversation.compose_reply,
            self.load_policy,
            self.send_sms,
            self.send_email,
            self.send_push,
            self.record_timeline,
            self.gather_policy_facts,
            self.decide_and_send_sms,
            self.reconcile_delivery_report,
        ]

    @activity.defn(name="reconcile_delivery_report")
    async def reconcile_delivery_report(self, request: ReconcileInput) -> Reconciled:
        self.reconcile_requests.append(request)
        if not self.reconciled:
            return Reconciled(provider_status="sent")
        status, code = self.reconciled.pop(0)
        report = DeliveryReport(
            provider_message_id=request.provider_message_id,
            status=status,
            error_code=code,
            occurred_at=activity.info().current_attempt_scheduled_time,
            message_key=request.message_key,
        )
        return Reconciled(report=report, source="provider")

    @activity.defn(name="gather_policy_facts")
    async def gather_policy_facts(self, request: PolicyFactsInput) -> PolicyFacts:
        self.fact_requests.append(request)
        facts = self.facts
        if request.claimed_key in self.claimed:
            text = self.claimed[request.claimed_key]
            claimed = RenderedMessage(channel=Channel.SMS, locale="en", text=text)
            facts = facts.model_copy(update={"claimed_sms": claimed})
        if request.sms_of is None:
            return facts
        if self.sms_render_error:
            return facts.model_copy(update={"sms_render_error": self.sms_render_error})
        return facts.model_copy(update={"sms": render_message(request.sms_of, Channel.SMS)})

    @activity.defn(name="decide_and_send_sms")
    async def decide_and_send_sms(self, request: DecideAndSendInput) -> DecidedSms:
        """The real activity's steps over the stand-ins above, at the server's (skipped) time."""
        if self.deciding_send_crashes:
            raise RuntimeError("the worker died")
        event = request.event
        facts = await self.gather_policy_facts(
            PolicyFactsInput(
                milestone=event.milestone,
                phone=event.customer.phone,
                email=event.customer.email,
                sms_of=event,
            )
        )
        now = activity.info().current_attempt_scheduled_time
        decision = decide(
            request.policy,
            sms_consent=facts.sms_consent,
            muted=facts.muted,
            recent_sms=facts.recent_sms,
            now=now,
            rules=self.policy.rules,
        )
        decided = DecidedSms(decision=decision)
        if not decided.sends_sms:
            return decided
        if facts.sms is None:
            return decided.model_copy(update={"render_error": facts.sms_render_error})
        if self.deciding_send_crashes_after_claim:
            self.claimed[request.identity.message_key] = facts.sms.text
            self.facts = self.facts_after_claim or self.facts
            raise RuntimeError("the worker died after claiming the outbox row")
        send = SendSmsInput(
            identity=request.identity,
            to=event.customer.phone or "",
            body=facts.sms.text,
            encoding=facts.sms.encoding,
            segments=facts.sms.segments,
            reserve_slot=True,
            report_wait_seconds=request.report_wait_seconds,
        )
        decided = decided.model_copy(
            update={"body": send.body, "encoding": send.encoding, "segments": send.segments}
        )
        try:
            decided = decided.with_sent(await self.send_sms(send))
        except ApplicationError as error:
            return decided.model_copy(update={"error": send_error(error)})
        if self.deciding_send_completed_by_report and decided.final_report is not None:
            return decided.model_copy(update={"decision": None})
        return decided

    @activity.defn(name="load_policy")
    async def load_policy(self, request: LoadPolicyInput) -> WorkflowPolicy:
        return self.policy

    @activity.defn(name="send_sms")
    async def send_sms(self, request: SendSmsInput) -> SmsSent:
        self.sms_calls += 1
        if request.reserve_slot and self.slot_delay_seconds >= 1:
            now = activity.info().current_attempt_scheduled_time.timestamp()
            raise sender_busy(now + self.slot_delay_seconds, "pacing")
        if self.sender_busy_until:
            raise sender_busy(self.sender_busy_until.pop(0), "daily_cap")
        if self.awaiting_provider_seconds:
            now = activity.info().current_attempt_scheduled_time.timestamp()
            self.lookups.append(now)
            left = self.awaiting_provider_seconds.pop(0)
            raise awaiting_provider(now + left, "the provider may still accept it", 1)
        if self.sms_errors:
            raise as_activity_error(self.sms_errors.pop(0))
        self.sms.append(request)
        sent = SmsSent(
            provider_message_id=f"SM{next(self._ids):032d}", provider_calls=1, deduplicated=False
        )
        if self.route_order:
            provider = request.provider or self.route_order[0]
            reason = f"{provider} by best score (stand-in)"
            update = {"provider": provider, "route_reason": reason, "route_order": self.route_order}
            sent = sent.model_copy(update=update)
        if request.report_wait_seconds <= 0 or not self.reports_in_send:
            return sent  # no accept time: the workflow stamps it, in the server's skipped time
        # The provider's own times, as a real send and callback carry them (these tests
        # skip no time while the send waits).
        accepted_at = activity.info().current_attempt_scheduled_time
        status, code = self.reports_in_send.pop(0)
        report = DeliveryReport(
            provider_message_id=sent.provider_message_id,
            status=status,
            error_code=code,
            occurred_at=accepted_at + timedelta(seconds=2),
            message_key=request.identity.message_key,
        )
        return sent.model_copy(update={"accepted_at": accepted_at, "final_report": report})

    @activity.defn(name="send_email")
    async def send_email(self, request: SendEmailInput) -> EmailSent:
        if not request.event.customer.email:
            raise rejected("no-address", "no e-mail address")
        self.emails.append(request)
        rendered = render_message(request.event, Channel.EMAIL)
        return EmailSent(
            message_id="<m@x>",
            subject=rendered.subject or "",
            text=rendered.text,
            deduplicated=False,
        )

    @activity.defn(name="send_push")
    async def send_push(self, request: SendPushInput) -> PushSent:
        self.pushes.append(request)
        return PushSent(
            provider_message_id=f"push-{len(self.pushes)}", title="t", text="b", deduplicated=False
        )

    @activity.defn(name="record_timeline")
    async def record_timeline(self, request: RecordInput) -> None:
        self.recorded.append(request)
