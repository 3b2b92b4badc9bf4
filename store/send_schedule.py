"""A sender's send schedule: slots handed out one interval apart (the GCRA line).

One row per sender in ``sender_pacing``, its only user, holding when the next slot
starts. The workflow waits for its slot on a durable timer, so a backlog drains at the
limit and a restart keeps its place in line.
"""

from __future__ import annotations

from sqlalchemy import case, update
from sqlalchemy.orm import Session, sessionmaker

from store.database import engine_of, insert_missing
from store.send_window_statements import RESERVE_SLOT
from store.tables import SenderPacingRow


class SendSchedule:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._engine = engine_of(sessions)  # reserve: a Core statement only

    def reserve(self, sender: str, interval: float, now: float) -> float:
        """Reserve the sender's next slot, ``interval`` after the last; returns its start."""
        for _ in range(2):  # the second pass runs only after creating the sender's row
            with self._engine.begin() as connection:
                taken = connection.execute(
                    RESERVE_SLOT, {"p_sender": sender, "p_now": now, "p_interval": interval}
                ).scalar_one_or_none()
            if taken is not None:
                return taken - interval
            self._create_pacing_row(sender, now)
        raise RuntimeError(f"could not reserve a slot for sender {sender!r}")

    def push_next_slot(self, sender: str, not_before: float) -> None:
        """Start the sender's next slot no earlier than ``not_before``."""
        with self._sessions.begin() as session:
            next_slot = SenderPacingRow.next_slot_at
            pushed = session.execute(
                update(SenderPacingRow)
                .where(SenderPacingRow.sender == sender)
                .values(next_slot_at=case((next_slot > not_before, next_slot), else_=not_before))
            ).rowcount
        if not pushed:
            self._create_pacing_row(sender, not_before)

    def _create_pacing_row(self, sender: str, next_slot_at: float) -> None:
        """The sender's pacing row, unless another process created it first (then theirs)."""
        with self._sessions.begin() as session:
            insert_missing(
                session, SenderPacingRow, [{"sender": sender, "next_slot_at": next_slot_at}]
            )
