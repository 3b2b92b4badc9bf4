"""Which milestones are news, and which arrive too late to send."""

from __future__ import annotations

from datetime import datetime

from domain.events import MilestoneEvent
from domain.milestones import PROGRESS_RANK, TERMINAL_MILESTONES


def stale_reason(
    event: MilestoneEvent,
    *,
    last_rank: int,
    last_event_at: datetime | None,
    terminal_reached: bool,
) -> str | None:
    """Why ``event`` must not be sent now, or None when it is news.

    Progress milestones only move forward (no 'shipped' after 'delivered'); any milestone
    that happened before the last one notified is old news; after the terminal milestone
    nothing else is sent.
    """
    if terminal_reached:
        return f"{event.milestone.value} arrived after the conversation's last milestone"
    rank = PROGRESS_RANK.get(event.milestone)
    if rank is not None and rank <= last_rank:
        return f"{event.milestone.value} is not beyond the last milestone notified"
    if last_event_at is not None and event.occurred_at < last_event_at:
        return f"{event.milestone.value} happened before the last milestone notified"
    return None


def is_terminal(event: MilestoneEvent) -> bool:
    return event.milestone in TERMINAL_MILESTONES
