"""The "which one?" question each number was asked last, until answered or expired."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from store.outbox import recipient_hash
from store.tables import ReplyQuestionRow


class ReplyQuestions:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def ask(self, phone: str, question: str, *, asked_at: datetime, expires_at: datetime) -> None:
        """Keep ``question`` (JSON) for ``phone``; a newer question replaces an older one."""
        with self._sessions.begin() as session:
            session.merge(
                ReplyQuestionRow(
                    phone_hash=recipient_hash(phone),
                    question=question,
                    asked_at=asked_at,
                    expires_at=expires_at,
                )
            )

    def pending(self, phone: str, now: datetime) -> str | None:
        """The open question for ``phone``; an expired one is forgotten."""
        with self._sessions.begin() as session:
            row = session.get(ReplyQuestionRow, recipient_hash(phone))
            if row is None:
                return None
            if now > row.expires_at:
                session.delete(row)
                return None
            return row.question

    def answered(self, phone: str) -> None:
        with self._sessions.begin() as session:
            session.execute(
                delete(ReplyQuestionRow).where(ReplyQuestionRow.phone_hash == recipient_hash(phone))
            )
