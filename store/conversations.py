"""Which orders and returns texted a phone number lately: where a customer's reply goes.

Read from the messages table (every accepted SMS is there with its recipient's hash), so
nothing extra is written on the hot path. Closed workflows are filtered by the caller,
which can ask Temporal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from store.outbox import recipient_hash
from store.tables import MessageRow, OutboxState

MAX_CONVERSATIONS = 20  # a number texted about more orders than this at once is not a person


@dataclass(frozen=True)
class TextedConversation:
    workflow_id: str
    kind: str
    reference: str
    last_sent_at: datetime
    locale: str | None


class Conversations:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def texted_since(self, phone: str, since: datetime) -> list[TextedConversation]:
        """Each workflow that had an SMS accepted for ``phone`` since then, latest first."""
        latest = (
            select(MessageRow.workflow_id, func.max(MessageRow.id).label("last_id"))
            .where(
                MessageRow.recipient_hash == recipient_hash(phone),
                MessageRow.channel == "sms",
                MessageRow.outbox_state == OutboxState.SENT,
                MessageRow.sent_at >= since,
            )
            .group_by(MessageRow.workflow_id)
            .subquery()
        )
        query = (
            select(MessageRow)
            .join(latest, MessageRow.id == latest.c.last_id)
            .order_by(MessageRow.sent_at.desc())
            .limit(MAX_CONVERSATIONS)
        )
        with self._sessions() as session:
            return [
                TextedConversation(
                    workflow_id=row.workflow_id,
                    kind=row.kind,
                    reference=row.reference,
                    last_sent_at=row.sent_at or row.created_at,
                    locale=row.locale,
                )
                for row in session.scalars(query)
            ]
