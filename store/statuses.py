"""Delivery reports as they arrive, keyed by the provider's message id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from store.tables import MessageRow, MessageStatusRow


@dataclass(frozen=True)
class ReportedMessage:
    workflow_id: str
    message_key: str


class DeliveryStatuses:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def record(
        self,
        provider_message_id: str,
        status: str,
        error_code: str | None,
        occurred_at: datetime,
    ) -> ReportedMessage | None:
        """Append the status; None when no message has that provider id (not ours)."""
        with self._sessions.begin() as session:
            row = session.scalars(
                select(MessageRow).where(MessageRow.provider_message_id == provider_message_id)
            ).first()
            if row is None:
                return None
            session.add(
                MessageStatusRow(
                    message_id=row.id, status=status, error_code=error_code, occurred_at=occurred_at
                )
            )
            row.delivery_status = status
            if error_code:
                row.error_code = error_code
            row.updated_at = occurred_at
            return ReportedMessage(workflow_id=row.workflow_id, message_key=row.message_key)

    def history(self, message_key: str) -> list[tuple[str, str | None, datetime]]:
        with self._sessions() as session:
            query = (
                select(
                    MessageStatusRow.status,
                    MessageStatusRow.error_code,
                    MessageStatusRow.occurred_at,
                )
                .join(MessageRow, MessageRow.id == MessageStatusRow.message_id)
                .where(MessageRow.message_key == message_key)
                .order_by(MessageStatusRow.occurred_at, MessageStatusRow.id)
            )
            return [(s, e, t) for s, e, t in session.execute(query)]
