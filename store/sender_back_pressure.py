"""A sender's back-pressure: how far the provider's "slow down" cut its rate, and until when.

When the provider says "slow down" (HTTP 429, queue full), the sender's rate is multiplied
by a factor for a while, compounding at most once a second, down to a floor. The state is
one row per sender in the database every worker shares.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from store.tables import SenderBackPressureRow

COMPOUND_AFTER_SECONDS = 1.0  # a burst of 429s from one moment slows the sender once
# How long a process trusts the back-pressure state it read: another process's report
# reaches it within this, and the hot path saves a round trip per send.
BACK_PRESSURE_FRESH_SECONDS = 1.0


@dataclass(frozen=True)
class BackPressure:
    rate_factor: float  # 1.0: full rate
    slowed_until: float  # epoch seconds
    reports: int = 0


class SenderBackPressure:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._read: dict[str, tuple[float, BackPressure]] = {}  # sender: (at, state)

    def report(
        self, sender: str, now: float, *, factor: float, min_factor: float, cool_down: float
    ) -> BackPressure:
        """Cut the sender's rate; it is back to full ``cool_down`` after the last report."""
        state = self._slow_down(sender, now, factor, min_factor, cool_down)
        self._read[sender] = (now, state)
        return state

    def rate_factor(self, sender: str, now: float) -> float:
        """The sender's rate multiplier now (1.0: full rate), as of at most a second ago."""
        read = self._read.get(sender)
        if read is None or not 0 <= now - read[0] < BACK_PRESSURE_FRESH_SECONDS:
            read = (now, self.back_pressure(sender, now))
            self._read[sender] = read
        state = read[1]
        return state.rate_factor if now < state.slowed_until else 1.0

    def back_pressure(self, sender: str, now: float) -> BackPressure:
        with self._sessions() as session:
            row = session.get(SenderBackPressureRow, sender)
        if row is None or row.slowed_until <= now:
            return BackPressure(rate_factor=1.0, slowed_until=now)
        return BackPressure(row.rate_factor, row.slowed_until, row.reports)

    def _slow_down(
        self, sender: str, now: float, factor: float, min_factor: float, cool_down: float
    ) -> BackPressure:
        row = SenderBackPressureRow
        active = row.slowed_until > now
        compounded = row.rate_factor * factor
        new_factor = case(
            (active & (row.reported_at > now - COMPOUND_AFTER_SECONDS), row.rate_factor),
            (active & (compounded < min_factor), min_factor),
            (active, compounded),
            else_=max(min_factor, factor),
        )
        for _ in range(2):  # the second pass runs only after creating the sender's row
            with self._sessions.begin() as session:
                updated = session.execute(
                    update(row)
                    .where(row.sender == sender)
                    .values(
                        rate_factor=new_factor,
                        slowed_until=now + cool_down,
                        reported_at=now,
                        reports=row.reports + 1,
                    )
                    .returning(row.rate_factor, row.slowed_until, row.reports)
                ).one_or_none()
            if updated is not None:
                return BackPressure(*updated)
            first = SenderBackPressureRow(
                sender=sender,
                rate_factor=max(min_factor, factor),
                slowed_until=now + cool_down,
                reported_at=now,
                reports=1,
            )
            try:
                with self._sessions.begin() as session:
                    session.add(first)
                return BackPressure(first.rate_factor, first.slowed_until, first.reports)
            except IntegrityError:
                continue  # another process reported at the same moment: compound on theirs
        raise RuntimeError(f"could not record back-pressure for sender {sender!r}")
