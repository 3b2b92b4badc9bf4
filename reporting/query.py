"""Reading the messages the KPIs are computed from, filtered as ``herald stats`` asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Engine, func, select

from store.tables import MessageFactsRow, MessageRouteRow, MessageRow


@dataclass(frozen=True)
class StatsFilter:
    since: datetime | None = None
    until: datetime | None = None
    merchant: str | None = None
    country: str | None = None
    provider: str | None = None
    milestone: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class MessageFigures:
    """One notification message, as the KPIs read it."""

    message_key: str
    workflow_id: str
    event_id: str
    event_occurred_at: datetime
    channel: str
    milestone: str
    created_at: datetime
    sent_at: datetime | None  # the provider's accept
    final_status: str | None
    final_at: datetime | None
    refused: bool  # the provider refused it for good at the send
    segments: int | None
    cost_usd: Decimal | None
    fallback_of: str | None
    open_tracked: bool
    opened_at: datetime | None
    provider_called_at: datetime | None = None  # Herald handed it to the provider


def read_messages(engine: Engine, where: StatsFilter) -> list[MessageFigures]:
    """Notification messages (those with facts) created within the filter, oldest first."""
    m, f, r = MessageRow, MessageFactsRow, MessageRouteRow
    # The provider that took a routed SMS is on its route; the facts name the one Herald
    # sends through when nothing routes (they are written before routing chooses).
    provider = func.coalesce(r.provider, f.provider)
    query = select(
        m.message_key,
        m.workflow_id,
        f.event_id,
        f.event_occurred_at,
        m.channel,
        m.milestone,
        m.created_at,
        m.provider_called_at,
        m.sent_at,
        m.final_status,
        m.final_at,
        m.outbox_state,
        m.segments,
        m.estimated_cost_usd,
        f.fallback_of,
        f.open_tracked,
        f.opened_at,
    ).join(f, f.message_key == m.message_key)
    query = query.outerjoin(r, r.message_key == m.message_key)
    conditions = {
        f.merchant: where.merchant,
        f.country: where.country.upper() if where.country else None,
        provider: where.provider,
        m.milestone: where.milestone,
        m.channel: where.channel,
    }
    for column, value in conditions.items():
        if value is not None:
            query = query.where(column == value)
    if where.since is not None:
        query = query.where(m.created_at >= where.since)
    if where.until is not None:
        query = query.where(m.created_at < where.until)
    with engine.connect() as connection:
        rows = connection.execute(query.order_by(m.created_at, m.id)).all()
    return [
        MessageFigures(
            message_key=r.message_key,
            workflow_id=r.workflow_id,
            event_id=r.event_id,
            event_occurred_at=r.event_occurred_at,
            channel=r.channel,
            milestone=r.milestone,
            created_at=r.created_at,
            provider_called_at=r.provider_called_at,
            sent_at=r.sent_at,
            final_status=r.final_status,
            final_at=r.final_at,
            refused=r.outbox_state == "failed",
            segments=r.segments,
            cost_usd=r.estimated_cost_usd,
            fallback_of=r.fallback_of,
            open_tracked=bool(r.open_tracked),
            opened_at=r.opened_at,
        )
        for r in rows
    ]
