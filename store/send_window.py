"""Sender throughput across every worker process: a schedule, a guarantee, and slowing down.

:class:`SenderLimiter` is the one face the rest of Herald uses; it puts together three
parts, each in its own module, all in the database every worker shares:

- :meth:`SenderLimiter.reserve` hands out send slots one interval apart, at the sender's
  current rate (:mod:`store.send_schedule`).
- :meth:`SenderLimiter.acquire`, called just before the provider call, is the guarantee:
  no window ever holds more than the sender's limit, nor a UTC day more than its daily cap
  (:mod:`store.send_permits`). Its stamps come from the database's clock
  (:func:`database_now`, :mod:`store.database_clock`), not each host's. (Tests may pass
  ``now`` to play a timeline of their own.)
- :meth:`SenderLimiter.report_back_pressure`: when the provider says "slow down" (HTTP
  429, queue full), the sender's rate is cut for a while (:mod:`store.sender_back_pressure`)
  and its next slot is pushed later.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from store.database_clock import database_now, next_utc_midnight, utc_day
from store.send_permits import PermitRefusal, SendPermit, SendPermits
from store.send_schedule import SendSchedule
from store.sender_back_pressure import BackPressure, SenderBackPressure

# Importers take these from here, whichever module holds them.
__all__ = [
    "BackPressure",
    "PermitRefusal",
    "SendPermit",
    "SenderLimiter",
    "database_now",
    "next_utc_midnight",
    "utc_day",
]


class SenderLimiter:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._back_pressure = SenderBackPressure(sessions)
        self._schedule = SendSchedule(sessions)
        self._permits = SendPermits(sessions, self._back_pressure)

    # ---- the schedule -----------------------------------------------------------------------

    def reserve(self, sender: str, messages_per_second: float, now: float) -> float:
        """Reserve the sender's next slot at its current rate; returns its start (>= now)."""
        interval = 1.0 / (messages_per_second * self.rate_factor(sender, now))
        return self._schedule.reserve(sender, interval, now)

    # ---- the guarantee ----------------------------------------------------------------------

    def acquire(
        self,
        sender: str,
        messages_per_second: float,
        now: float | None = None,
        *,
        daily_cap: int | None = None,
    ) -> SendPermit:
        """Take a permit to send now, or say when to ask again. Call right before sending.

        ``now``: None (in production) stamps the permit with the database's clock.
        """
        return self._permits.acquire(sender, messages_per_second, now, daily_cap=daily_cap)

    def settle(
        self,
        sender: str,
        granted_at: float,
        sent_at: float | None = None,
        slot: int | None = None,
    ) -> None:
        """Move a granted permit's stamp to when the provider answered the send."""
        self._permits.settle(sender, granted_at, sent_at, slot)

    def database_now(self) -> float:
        return self._permits.database_now()

    def sent_on(self, sender: str, day: str) -> int:
        """Sends counted against the daily cap on ``day`` (YYYY-MM-DD, UTC)."""
        return self._permits.sent_on(sender, day)

    def permit_count(self, sender: str) -> int:
        """How many permit rows the sender has (its highest limit so far, per window)."""
        return self._permits.permit_count(sender)

    # ---- slowing down -----------------------------------------------------------------------

    def report_back_pressure(
        self,
        sender: str,
        now: float,
        *,
        factor: float,
        min_factor: float,
        cool_down_seconds: float,
        pause_seconds: float = 0.0,
    ) -> BackPressure:
        """The provider asked this sender to slow down: cut its rate and push its next slot.

        ``pause_seconds``: the provider's Retry-After, if it gave one. The rate is back to
        full ``cool_down_seconds`` after the last report.
        """
        state = self._back_pressure.report(
            sender, now, factor=factor, min_factor=min_factor, cool_down=cool_down_seconds
        )
        if pause_seconds > 0:
            self._schedule.push_next_slot(sender, now + pause_seconds)
        return state

    def rate_factor(self, sender: str, now: float) -> float:
        """The sender's rate multiplier now (1.0: full rate), as of at most a second ago."""
        return self._back_pressure.rate_factor(sender, now)

    def back_pressure(self, sender: str, now: float) -> BackPressure:
        return self._back_pressure.back_pressure(sender, now)
