"""Duplicates: the same event, or the same milestone for the same order, is one message.

Event ids catch an OMS that repeats itself exactly; this catches one that re-signals the
same news under a new id. Progress milestones happen once per order. Milestones that can
recur (a delay, a delivery attempt, an exception) are the same news when they carry the
same time, or the same content within the duplicate window.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from pydantic import AwareDatetime, BaseModel, ConfigDict

from domain.events import MilestoneEvent
from domain.milestones import PROGRESS_RANK, Milestone
from policy.rules import PolicyRules


class NotifiedMilestone(BaseModel):
    """What the workflow keeps of each milestone it notified (no contact details)."""

    model_config = ConfigDict(frozen=True)

    milestone: Milestone
    occurred_at: AwareDatetime
    fingerprint: str
    event_id: str = ""


def notified_milestone(event: MilestoneEvent) -> NotifiedMilestone:
    return NotifiedMilestone(
        milestone=event.milestone,
        occurred_at=event.occurred_at,
        fingerprint=content_fingerprint(event),
        event_id=event.event_id,
    )


def content_fingerprint(event: MilestoneEvent) -> str:
    """A short digest of what the customer would be told (the news, not its envelope)."""
    shipment, refund = event.shipment, event.refund
    content = {
        "milestone": event.milestone.value,
        "detail": (event.detail or "").strip().lower(),
        "tracking": shipment.tracking_id if shipment else None,
        "eta": _iso(shipment.estimated_arrival) if shipment else None,
        "eta_end": _iso(shipment.estimated_arrival_end) if shipment else None,
        "refund": f"{refund.amount:f} {refund.currency}" if refund else None,
    }
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    return digest[:16]


def duplicate_reason(
    candidate: NotifiedMilestone, notified: Sequence[NotifiedMilestone], rules: PolicyRules
) -> str | None:
    """Why ``candidate`` repeats a milestone already notified, or None when it is news."""
    window = timedelta(seconds=rules.duplicate_window_seconds)
    name = candidate.milestone.value
    for earlier in notified:
        if earlier.milestone is not candidate.milestone:
            continue
        if candidate.milestone in PROGRESS_RANK:
            return f"duplicate: {name} was already notified for this order"
        if earlier.occurred_at == candidate.occurred_at:
            return f"duplicate: {name} at {_iso(candidate.occurred_at)} was already notified"
        close = abs(earlier.occurred_at - candidate.occurred_at) <= window
        if close and earlier.fingerprint == candidate.fingerprint:
            return f"duplicate: the same {name} news was notified {_ago(earlier, candidate)}"
    return None


def _ago(earlier: NotifiedMilestone, candidate: NotifiedMilestone) -> str:
    minutes = abs(candidate.occurred_at - earlier.occurred_at).total_seconds() / 60
    return f"{minutes:.0f} min before" if minutes < 120 else f"{minutes / 60:.1f} h before"


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
