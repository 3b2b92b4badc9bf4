"""What the send activities tell the people who run Herald: the message's facts for the
KPIs (store) and the Prometheus counters. Never fails a send: an observation that cannot
be written is logged and dropped, the message still goes.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from decimal import Decimal

from domain.events import MilestoneEvent
from domain.phone import region_of
from observability.metrics import (
    FALLBACKS,
    FIRST_UPDATE_SECONDS,
    MESSAGES,
    POLICY_DECISIONS,
    SMS_COST,
    SMS_SEGMENTS,
)
from policy.decision import PolicyDecision
from store.message_facts import MessageFacts, RecordedFacts
from store.repository import Store

log = logging.getLogger(__name__)

SMS_PROVIDER = "twilio"
EMAIL_PROVIDER = "smtp"
PUSH_PROVIDER = "push"
UNKNOWN = "unknown"


def country_of(event: MilestoneEvent) -> str | None:
    return region_of(event.customer.phone) if event.customer.phone else None


async def record_facts(
    store: Store,
    message_key: str,
    workflow_id: str,
    event: MilestoneEvent,
    *,
    channel: str,
    provider: str,
    open_tracked: bool = False,
) -> RecordedFacts | None:
    """The message's facts, before its send (a retry finds them written)."""
    facts = MessageFacts(
        message_key=message_key,
        workflow_id=workflow_id,
        event_id=event.event_id,
        event_occurred_at=event.occurred_at,
        merchant=event.merchant,
        country=country_of(event),
        provider=provider,
        channel=channel,
        open_tracked=open_tracked,
    )
    try:
        recorded = await asyncio.to_thread(store.message_facts.record, facts, datetime.now(UTC))
    except Exception:
        log.exception("could not record the facts of %s", message_key)
        return None
    if recorded is not None and recorded.fallback_of is not None:
        FALLBACKS.labels(channel, recorded.fallback_reason or UNKNOWN).inc()
    return recorded


def sms_accepted(
    event: MilestoneEvent,
    first_of_event: bool,
    segments: int | None,
    cost: Decimal | None,
    provider: str = SMS_PROVIDER,
) -> None:
    """An SMS ``provider`` took (routing's choice, or the failover's)."""
    country = country_of(event) or UNKNOWN
    MESSAGES.labels("sms", "accepted", provider, country, event.milestone.value).inc()
    SMS_SEGMENTS.labels(provider, country).inc(segments or 0)
    SMS_COST.labels(provider, country).inc(float(cost or 0))
    if first_of_event:
        first_update(event, "sms")


def sms_refused(event: MilestoneEvent) -> None:
    country = country_of(event) or UNKNOWN
    MESSAGES.labels("sms", "refused", SMS_PROVIDER, country, event.milestone.value).inc()


def other_channel_sent(event: MilestoneEvent, channel: str, provider: str, first: bool) -> None:
    country = country_of(event) or UNKNOWN
    MESSAGES.labels(channel, "sent", provider, country, event.milestone.value).inc()
    if first:
        first_update(event, channel)


def first_update(event: MilestoneEvent, channel: str) -> None:
    waited = (datetime.now(UTC) - event.occurred_at).total_seconds()
    FIRST_UPDATE_SECONDS.labels(event.kind.value, event.milestone.value, channel).observe(
        max(waited, 0.0)
    )


def policy_decided(decision: PolicyDecision, event: MilestoneEvent) -> None:
    POLICY_DECISIONS.labels(decision.action.value, decision.rule.value, event.milestone.value).inc()
