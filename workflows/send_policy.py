"""The send policy's decisions the workflow takes itself: holds, merges and re-decisions.

Owns what happens to a milestone once it is news, apart from its first decision when
the customer has a phone (deciding_send.py takes that one inside the send activity):
deciding on the store's facts (a local activity reads them) with the same pure function
the deciding send uses (policy/decide.py); carrying a decision out (send now, hold, merge
into the next message, suppress); holding a message on a durable timer (quiet hours,
coalescing, a frequency cap) and deciding it again when the timer fires or newer news
arrives. A merge is settled, without a send, when the order's next message goes out.
"""

from __future__ import annotations

import contextlib

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.policy_facts import PolicyFacts, PolicyFactsInput
    from domain.events import MilestoneEvent
    from domain.timeline import Channel, EntryKind, NotificationState
    from policy.decide import decide
    from policy.decision import PolicyAction, PolicyDecision
    from policy.duplicates import notified_milestone
    from policy.evaluate import PolicyRequest
    from workflows import support_view
    from workflows.fallback import Fallback
    from workflows.run_context import LOCAL_RETRY, LOCAL_TIMEOUT, RunContext
    from workflows.sms_send import SmsSend
    from workflows.state import Parked


# The worker's herald_policy_decisions_total counts the deciding send's decisions (an
# activity); these are the ones the workflow takes. Temporal's workflow metrics are
# replay-safe (nothing is counted while a history replays) and served on the worker's
# /metrics beside the SDK's own.
DECISIONS_METRIC = "herald_workflow_policy_decisions"


class SendPolicy:
    def __init__(self, ctx: RunContext, sms: SmsSend, fallback: Fallback) -> None:
        self._ctx = ctx
        self._sms = sms
        self._fallback = fallback
        self._decisions = workflow.metric_meter().create_counter(
            DECISIONS_METRIC,
            "send-policy decisions taken in the workflow (after a hold, or "
            "for a customer without a phone)",
        )

    def parked(self, event: MilestoneEvent) -> Parked:
        """The milestone as the policy sees it: when it came, its place among arrivals."""
        state = self._ctx.state
        state.arrivals.append(event.milestone)
        return Parked(
            event=event,
            received_at=workflow.now(),
            arrival=len(state.arrivals) - 1,
            occurrence=state.occurrences[event.milestone.value],
        )

    def request(self, parked: Parked) -> PolicyRequest:
        """What the workflow knows for the policy; the store's facts are added to it."""
        event, customer = parked.event, parked.event.customer
        return PolicyRequest(
            candidate=notified_milestone(event),
            received_at=parked.received_at,
            phone=customer.phone,
            has_email=customer.email is not None,
            has_push=customer.push_token is not None,
            profile_time_zone=customer.time_zone,
            notified=tuple(self._ctx.state.notified),
            arrived_since=tuple(self._ctx.state.arrivals[parked.arrival + 1 :]),
        )

    async def gather_facts(
        self, parked: Parked, *, render_sms: bool, claimed_key: str | None = None
    ) -> PolicyFacts:
        """The store's facts (and the SMS text, or the text a stopped send claimed)."""
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
            summary=support_view.policy_facts_summary(event, with_sms_text=render_sms),
        )

    def evaluate(self, parked: Parked, facts: PolicyFacts) -> PolicyDecision:
        decision = decide(
            self.request(parked),
            sms_consent=facts.sms_consent,
            muted=facts.muted,
            recent_sms=facts.recent_sms,
            now=workflow.now(),
            rules=self._ctx.policy.rules,
        )
        labels = {
            "action": decision.action.value,
            "rule": decision.rule.value,
            "milestone": parked.event.milestone.value,
        }
        self._decisions.add(1, labels)
        return decision

    async def decide(self, parked: Parked) -> tuple[PolicyDecision, PolicyFacts]:
        facts = await self.gather_facts(parked, render_sms=True)
        return self.evaluate(parked, facts), facts

    async def decide_and_act(self, parked: Parked) -> None:
        """A milestone decided in the workflow (the customer has no phone)."""
        decision, facts = await self.decide(parked)
        await self.act(parked, decision, facts)

    async def act(
        self, parked: Parked, decision: PolicyDecision, facts: PolicyFacts | None
    ) -> None:
        if decision.action is PolicyAction.SEND:
            await self.send_decided(parked, decision, facts)
        elif decision.action is PolicyAction.HOLD or decision.hold_until is not None:
            self._park(parked, decision)
        else:
            self._note_decision(parked, decision)

    def mark_sending(self, event: MilestoneEvent) -> None:
        """The milestone is news being sent: counted as notified, "sending" in the Web UI.
        The search attributes are upserted once, when the send ends (mostly with
        "delivered"); meanwhile only the details say "sending"."""
        ctx = self._ctx
        ctx.state.notified.append(notified_milestone(event))
        ctx.history.state = NotificationState.SENDING
        ctx.publish(search=False)

    async def send_decided(
        self, parked: Parked, decision: PolicyDecision, facts: PolicyFacts | None
    ) -> None:
        """Send on the channels decided; ``facts`` carry the SMS text when SMS is one."""
        event = parked.event
        self.mark_sending(event)
        phone = event.customer.phone
        if Channel.SMS in decision.channels and phone:
            await self._sms.send(
                event,
                phone,
                occurrence=parked.occurrence,
                fallback=list(decision.fallback_channels),
                text=facts.sms if facts else None,
                render_error=facts.sms_render_error if facts else None,
            )
        else:
            await self._fallback.send_other_channels(
                event, channels=list(decision.channels), occurrence=parked.occurrence
            )

    # ---- holds on durable timers ------------------------------------------------------------

    def resume(self, parked: Parked) -> None:
        """A hold carried over from the previous run waits on."""
        self._ctx.start_task(self._hold(parked))

    def _park(self, parked: Parked, decision: PolicyDecision) -> None:
        self._note_decision(parked, decision)
        parked.until = decision.hold_until
        parked.merge = decision.action is PolicyAction.MERGE
        parked.notified_when_parked = len(self._ctx.state.notified)
        parked.rule = decision.rule.value
        self._ctx.state.parked.append(parked)
        if self._ctx.history.state not in (
            NotificationState.SENDING,
            NotificationState.AWAITING_REPORT,
        ):
            self._ctx.history.state = NotificationState.HELD
        self._ctx.start_task(self._hold(parked))

    def _repark(self, parked: Parked, decision: PolicyDecision) -> None:
        """Decided again and still waiting: a merge counts only messages sent from now on
        (not one sent while it was held for the night), and a new reason is on record."""
        merge = decision.action is PolicyAction.MERGE
        if merge != parked.merge or decision.rule.value != parked.rule:
            self._note_decision(parked, decision)
        parked.until, parked.merge, parked.rule = decision.hold_until, merge, decision.rule.value
        parked.notified_when_parked = len(self._ctx.state.notified)

    async def _hold(self, parked: Parked) -> None:
        """Wait on a durable timer (or for newer news), then decide again."""
        state = self._ctx.state
        while True:
            await self._wait_for_news(parked)
            if parked.merge and len(state.notified) > parked.notified_when_parked:
                self._unpark(parked)
                newer = state.notified[-1].milestone.value
                self._ctx.note(EntryKind.MERGED, f"carried by the {newer} message", parked.event)
                return
            decision, facts = await self.decide(parked)
            if decision.action is PolicyAction.HOLD or (
                decision.action is PolicyAction.MERGE and decision.hold_until is not None
            ):
                self._repark(parked, decision)
                continue
            self._unpark(parked)
            if decision.action is PolicyAction.SEND:
                with self._ctx.sending():
                    await self.send_decided(parked, decision, facts)
            else:
                self._note_decision(parked, decision)
            self._ctx.publish()
            return

    async def _wait_for_news(self, parked: Parked) -> None:
        """Until the hold ends, or earlier: a hold wakes when a newer milestone arrives (it
        may supersede this one); a merge when the order's next message goes out."""
        state = self._ctx.state
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
                timeout_summary=support_view.hold_timer_summary(parked.event),
            )

    def _unpark(self, parked: Parked) -> None:
        self._ctx.state.parked = [p for p in self._ctx.state.parked if p.arrival != parked.arrival]

    def _note_decision(self, parked: Parked, decision: PolicyDecision) -> None:
        kind = {
            PolicyAction.HOLD: EntryKind.HELD,
            PolicyAction.MERGE: EntryKind.MERGED,
        }.get(decision.action, EntryKind.SUPPRESSED)
        self._ctx.note(kind, f"{decision.rule.value}: {decision.reason}", parked.event)
