"""The facts the send policy needs from the store: consent, preferences, recent sends.

A local activity: the workflow then applies the (pure) policy to these facts itself, so
each decision and its reason are part of the workflow's history. It also renders the SMS
the workflow is about to decide on, so that one local activity does both. A milestone's
first decision gathers the same facts inside its send (activities/decide_and_send.py);
this one serves the decisions taken again after a hold, customers without a phone, a
deciding send that stopped (its claimed text) and the fallback of a send completed by its
report.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, Field
from temporalio import activity

from activities.render import SmsRenderer
from config.policy import get_policy_settings
from domain.events import MilestoneEvent
from domain.milestones import Milestone
from domain.timeline import Channel
from messaging.render import RenderedMessage, RenderError
from policy.channels import ConsentState
from policy.frequency import RecentSend
from store.preferences import muted
from store.repository import Store


class PolicyFactsInput(BaseModel):
    milestone: Milestone
    phone: str | None = None
    email: str | None = None
    sms_of: MilestoneEvent | None = None  # also render this event's SMS
    # An SMS a send that stopped may have claimed: its text comes back in ``claimed_sms``.
    claimed_key: str | None = None


class PolicyFacts(BaseModel):
    sms_consent: ConsentState | None = None
    muted: list[Channel] = Field(default_factory=list)
    recent_sms: list[RecentSend] = Field(default_factory=list)
    sms: RenderedMessage | None = None  # the SMS of ``sms_of``
    sms_render_error: str | None = None  # why it could not be rendered (a template bug)
    claimed_sms: RenderedMessage | None = None  # the text of ``claimed_key``'s outbox row


class PolicyFactsActivities:
    def __init__(self, store: Store, sms: SmsRenderer) -> None:
        self._store = store
        self._sms = sms

    @property
    def store(self) -> Store:
        return self._store

    def read_facts(self, request: PolicyFactsInput) -> PolicyFacts:
        """The store's facts alone (blocking, no rendering): a decision made again."""
        return self._gather_and_render(request.model_copy(update={"sms_of": None}))[0]

    @activity.defn(name="gather_policy_facts")
    async def gather_policy_facts(self, request: PolicyFactsInput) -> PolicyFacts:
        # Idempotent: reads only (rendering is a pure function of the event and templates).
        facts, first_sms = await asyncio.to_thread(self._gather_and_render, request)
        if facts.sms is not None and request.sms_of is not None:
            facts.sms = await self._sms.reworded(request.sms_of, facts.sms, first_sms)
        return facts

    def _gather_and_render(self, request: PolicyFactsInput) -> tuple[PolicyFacts, bool]:
        """One thread hop for every blocking step: the store's reads and the template."""
        rules = get_policy_settings().rules()
        window = max(
            (
                t.frequency_cap.window_seconds
                for t in rules.notification_types.values()
                if t.frequency_cap
            ),
            default=0,
        )
        since = datetime.now(UTC) - timedelta(seconds=window)
        known = self._store.customer_facts.read(request.phone, request.email, since)
        facts = PolicyFacts(
            sms_consent=known.consent.state if known.consent else None,
            muted=muted(known.preferences, rules.type_of(request.milestone)),
            recent_sms=[
                RecentSend(at=s.at, notification_type=rules.type_of(Milestone(s.milestone)))
                for s in known.recent_sms
            ],
        )
        if request.claimed_key and (entry := self._store.outbox.get(request.claimed_key)):
            facts.claimed_sms = RenderedMessage(
                channel=Channel.SMS,
                locale=request.sms_of.customer.locale if request.sms_of else "en",
                text=entry.body or "",
                encoding=entry.encoding,
                segments=entry.segments,
                estimated_cost_usd=entry.estimated_cost_usd,
            )
        first_sms = False
        if request.sms_of is not None:
            try:
                facts.sms, first_sms = self._sms.template(request.sms_of, had_sms=known.had_sms)
            except RenderError as exc:  # the facts still count: the policy may pick e-mail
                facts.sms_render_error = str(exc)
        return facts, first_sms
