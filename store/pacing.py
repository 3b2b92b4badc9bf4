"""Send slots per sender, shared by every worker process through the database.

A generic cell rate algorithm: each reservation takes the sender's next free slot
(never earlier than now) and pushes it one interval on, in one atomic UPDATE. Whoever
reserves waits for its slot on a durable timer, so a restart keeps its place in line.
"""

from __future__ import annotations

from sqlalchemy import case, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from store.tables import SenderPacingRow


class SenderPacer:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def reserve(self, sender: str, interval_seconds: float, now: float) -> float:
        """Reserve the sender's next slot; returns its start (epoch seconds, >= now)."""
        for _ in range(2):  # the second pass runs only after creating the sender's row
            with self._sessions.begin() as session:
                next_slot = SenderPacingRow.next_slot_at
                slot_start = case((next_slot > now, next_slot), else_=now)
                result = session.execute(
                    update(SenderPacingRow)
                    .where(SenderPacingRow.sender == sender)
                    .values(next_slot_at=slot_start + interval_seconds)
                    .returning(SenderPacingRow.next_slot_at)
                ).scalar_one_or_none()
            if result is not None:
                return result - interval_seconds
            self._create(sender, now)
        raise RuntimeError(f"could not reserve a slot for sender {sender!r}")

    def _create(self, sender: str, now: float) -> None:
        try:
            with self._sessions.begin() as session:
                session.execute(insert(SenderPacingRow).values(sender=sender, next_slot_at=now))
        except IntegrityError:
            pass  # another process created it first: fine
