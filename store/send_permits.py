"""Send permits: the guarantee that no window ever holds more than a sender's limit.

Timers fire late by varying amounts, so two slots one interval apart can still be sent
in the same second. :meth:`SendPermits.acquire`, called just before the provider call,
admits a send only when one of the sender's N permit rows was last used a full window
ago, and reuses it in one conditional UPDATE: no window then ever holds more than N
sends, whichever process sends them. It also counts the sender's sends per UTC day
against the carrier's daily cap, in the same transaction. :meth:`SendPermits.settle`
moves a granted permit's stamp to when the provider answered.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session, sessionmaker

from policy.senders import window_allowance
from store.database import engine_of, insert_missing
from store.database_clock import database_now, next_utc_midnight, utc_day
from store.send_window_statements import (
    COUNT_TODAY,
    DAY_COUNTED,
    SETTLE_ANY_PERMIT,
    SETTLE_PERMIT,
    TAKE_PERMIT,
)
from store.sender_back_pressure import SenderBackPressure
from store.tables import SenderDailyCountRow, SenderSendSlotRow

NEVER_USED = -1e18  # a permit row's last use before its first: any window has passed
ATTEMPTS = 20  # conditional updates lost to another process before giving up for now


class PermitRefusal:
    WINDOW = "window"  # the sender's permits were all used within the window
    DAILY_CAP = "daily_cap"  # the sender reached its cap for the UTC day
    CONTENDED = "contended"  # other processes kept winning the same permit: ask again


@dataclass(frozen=True)
class SendPermit:
    granted: bool
    at: float  # epoch seconds the permit was asked for (and taken, when granted)
    retry_at: float | None = None  # when refused: the earliest moment to ask again
    refusal: str | None = None  # a PermitRefusal word
    slot: int | None = None  # when granted: which of the sender's permit rows it took

    @property
    def wait_seconds(self) -> float:
        return 0.0 if self.retry_at is None else max(0.0, self.retry_at - self.at)


class _Refused(Exception):
    def __init__(self, permit: SendPermit) -> None:
        self.permit = permit


class _RowsMissing(Exception):
    pass


class _Contended(Exception):
    pass


class SendPermits:
    def __init__(self, sessions: sessionmaker[Session], back_pressure: SenderBackPressure) -> None:
        self._sessions = sessions
        self._engine = engine_of(sessions)  # acquire, settle: Core statements only
        self._back_pressure = back_pressure

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
        given_now = now
        now = now if now is not None else self.database_now()
        rate = messages_per_second * self._back_pressure.rate_factor(sender, now)
        permits, window = window_allowance(rate)
        for _ in range(ATTEMPTS):
            try:
                with self._engine.begin() as connection:
                    if given_now is None:
                        now = database_now(connection)
                    if daily_cap is not None:
                        self._count_today(connection, sender, daily_cap, now)
                    slot = self._take_permit(connection, sender, permits, window, now)
                    if slot is not None:
                        return SendPermit(granted=True, at=now, slot=slot)
                    refusal = self._why_no_permit(connection, sender, permits, window, now)
                    if refusal is not None:
                        raise _Refused(refusal)
                    raise _Contended  # lost a race for a free permit: roll back, try again
            except _Refused as refused:
                return refused.permit
            except _RowsMissing:
                self._create_rows(sender, permits, now, count_days=daily_cap is not None)
            except _Contended:
                continue
        return SendPermit(granted=False, at=now, retry_at=now, refusal=PermitRefusal.CONTENDED)

    def settle(
        self,
        sender: str,
        granted_at: float,
        sent_at: float | None = None,
        slot: int | None = None,
    ) -> None:
        """Move a granted permit's stamp to when the provider answered the send.

        The permit was stamped before its transaction (and any wait for the database lock),
        and the provider took the message some milliseconds later, by varying amounts; its
        answer comes after it took it. Re-stamping with that moment makes the permit's next
        use a full window after the send the provider saw, whatever the delays between.
        ``slot`` (the permit's row) makes it a primary-key update, not a scan of the rows.
        ``sent_at``: None (in production) is the database's clock now, right after the
        provider's answer, never earlier than the grant.
        """
        with self._engine.begin() as connection:
            if sent_at is None:
                sent_at = max(granted_at, database_now(connection))
            params = {"p_sender": sender, "p_granted": granted_at, "p_sent": sent_at}
            if slot is None:
                connection.execute(SETTLE_ANY_PERMIT, params)
            else:
                connection.execute(SETTLE_PERMIT, {**params, "p_slot": slot})

    def database_now(self) -> float:
        with self._engine.connect() as connection:
            return database_now(connection)

    def sent_on(self, sender: str, day: str) -> int:
        """Sends counted against the daily cap on ``day`` (YYYY-MM-DD, UTC)."""
        with self._sessions() as session:
            row = session.get(SenderDailyCountRow, (sender, day))
            return 0 if row is None else row.sent

    def permit_count(self, sender: str) -> int:
        """How many permit rows the sender has (its highest limit so far, per window)."""
        with self._sessions() as session:
            return (
                session.scalar(select(func.count()).where(SenderSendSlotRow.sender == sender)) or 0
            )

    def _count_today(self, connection: Connection, sender: str, daily_cap: int, now: float) -> None:
        params = {"p_sender": sender, "p_day": utc_day(now), "p_cap": daily_cap}
        counted = connection.execute(COUNT_TODAY, params).scalar_one_or_none()
        if counted is not None:
            return
        if connection.execute(DAY_COUNTED, params).first() is None:
            raise _RowsMissing
        raise _Refused(
            SendPermit(
                granted=False,
                at=now,
                retry_at=next_utc_midnight(now),
                refusal=PermitRefusal.DAILY_CAP,
            )
        )

    @staticmethod
    def _take_permit(
        connection: Connection, sender: str, permits: int, window: float, now: float
    ) -> int | None:
        """The permit row taken, or None when no free one was."""
        params = {"p_sender": sender, "p_permits": permits, "p_cutoff": now - window, "p_now": now}
        return connection.execute(TAKE_PERMIT, params).scalar_one_or_none()

    @staticmethod
    def _why_no_permit(
        connection: Connection, sender: str, permits: int, window: float, now: float
    ) -> SendPermit | None:
        """A refusal when every permit is in use; None when one is free (a lost race)."""
        row = SenderSendSlotRow
        uses = connection.scalars(
            select(row.last_used_at).where(row.sender == sender, row.slot < permits)
        ).all()
        if len(uses) < permits:
            raise _RowsMissing
        oldest = min(uses)
        if oldest <= now - window:
            return None
        return SendPermit(
            granted=False, at=now, retry_at=oldest + window, refusal=PermitRefusal.WINDOW
        )

    def _create_rows(self, sender: str, permits: int, now: float, *, count_days: bool) -> None:
        """Create the sender's missing permit rows (and today's count) in one transaction.

        Rows that exist are skipped, never overwritten (that would forget a permit's last
        use). One multi-row insert that ignores conflicts, rather than a row at a time after
        an IntegrityError: with a high limit (10,000 permits) and many callers arriving at
        once, the one-by-one path held the database's write lock for seconds per caller.
        """
        with self._sessions.begin() as session:
            insert_missing(
                session,
                SenderSendSlotRow,
                [
                    {"sender": sender, "slot": slot, "last_used_at": NEVER_USED}
                    for slot in range(permits)
                ],
            )
            if count_days:
                insert_missing(
                    session,
                    SenderDailyCountRow,
                    [{"sender": sender, "day": utc_day(now), "sent": 0}],
                )
