"""Workflow decisions worth keeping beside the messages (ignored duplicates, fallbacks...)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from store.tables import MessageRow, TimelineRow


@dataclass(frozen=True)
class TimelineRecord:
    entry_key: str  # unique: a retried activity writes nothing twice
    workflow_id: str
    at: datetime
    kind: str
    milestone: str | None
    event_id: str | None
    detail: str


class Timeline:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def add(self, record: TimelineRecord) -> bool:
        """Write the entry; False when it was already there."""
        with self._sessions() as session:
            session.add(TimelineRow(**record.__dict__))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                return False
            return True

    def entries(self, workflow_id: str) -> list[TimelineRecord]:
        with self._sessions() as session:
            rows = session.scalars(
                select(TimelineRow)
                .where(TimelineRow.workflow_id == workflow_id)
                .order_by(TimelineRow.at)
            )
            return [
                TimelineRecord(
                    r.entry_key, r.workflow_id, r.at, r.kind, r.milestone, r.event_id, r.detail
                )
                for r in rows
            ]

    def messages(self, workflow_id: str) -> list[MessageRow]:
        with self._sessions() as session:
            query = (
                select(MessageRow)
                .where(MessageRow.workflow_id == workflow_id)
                .order_by(MessageRow.id)
            )
            return list(session.scalars(query))
