"""Sender throughput across every worker process: a schedule, a guarantee, and slowing down.

Three parts, all in the database every worker shares:

- :meth:`SenderLimiter.reserve` hands out send slots one interval apart (the GCRA line
  in ``sender_pacing`` its only user), at the sender's
  current rate. The workflow waits for its slot on a durable timer, so a backlog drains
  at the limit and a restart keeps its place in line.
- :meth:`SenderLimiter.acquire`, called just before the provider call, is the guarantee.
  Timers fire late by varying amounts, so two slots one interval apart can still be sent
  in the same second; ``acquire`` admits a send only when one of the sender's N permit rows
  was last used a full window ago, and reuses it in one conditional UPDATE. No window
  then ever holds more than N sends, whichever process sends them. It also counts the
  sender's sends per UTC day against the carrier's daily cap, in the same transaction.
  Its stamps come from the database's clock (:func:`database_now`), not each host's: two
  hosts whose clocks are 300 ms apart would otherwise both find a permit free inside one
  window. (Tests may pass ``now`` to play a timeline of their own.)
- :meth:`SenderLimiter.report_back_pressure`: when the provider says "slow down" (HTTP
  429, queue full), the sender's rate is multiplied by a factor for a while (compounding
  at most once a second, down to a floor) and its next slot is pushed later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Float, Update, bindparam, case, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, sessionmaker

from policy.senders import window_allowance
from store.database import engine_of, insert_missing
from store.tables import (
    SenderBackPressureRow,
    SenderDailyCountRow,
    SenderPacingRow,
    SenderSendSlotRow,
)

NEVER_USED = -1e18  # a permit row's last use before its first: any window has passed
ATTEMPTS = 20  # conditional updates lost to another process before giving up for now
COMPOUND_AFTER_SECONDS = 1.0  # a burst of 429s from one moment slows the sender once
# How long a process trusts the back-pressure state it read: another process's report
# reaches it within this, and the hot path saves a round trip per send.
BACK_PRESSURE_FRESH_SECONDS = 1.0


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


@dataclass(frozen=True)
class BackPressure:
    rate_factor: float  # 1.0: full rate
    slowed_until: float  # epoch seconds
    reports: int = 0


class _Refused(Exception):
    def __init__(self, permit: SendPermit) -> None:
        self.permit = permit


class _RowsMissing(Exception):
    pass


class _Contended(Exception):
    pass


class SenderLimiter:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._engine = engine_of(sessions)  # reserve, acquire, settle: Core statements only
        self._back_pressure_read: dict[str, tuple[float, BackPressure]] = {}  # sender: (at, state)

    # ---- the schedule -----------------------------------------------------------------------

    def reserve(self, sender: str, messages_per_second: float, now: float) -> float:
        """Reserve the sender's next slot at its current rate; returns its start (>= now)."""
        interval = 1.0 / (messages_per_second * self.rate_factor(sender, now))
        for _ in range(2):  # the second pass runs only after creating the sender's row
            with self._engine.begin() as connection:
                taken = connection.execute(
                    _RESERVE_SLOT, {"p_sender": sender, "p_now": now, "p_interval": interval}
                ).scalar_one_or_none()
            if taken is not None:
                return taken - interval
            self._create_pacing_row(sender, now)
        raise RuntimeError(f"could not reserve a slot for sender {sender!r}")

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
        given_now = now
        now = now if now is not None else self.database_now()
        permits, window = window_allowance(messages_per_second * self.rate_factor(sender, now))
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
                connection.execute(_SETTLE_ANY_PERMIT, params)
            else:
                connection.execute(_SETTLE_PERMIT, {**params, "p_slot": slot})

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
        counted = connection.execute(_COUNT_TODAY, params).scalar_one_or_none()
        if counted is not None:
            return
        if connection.execute(_DAY_COUNTED, params).first() is None:
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
        return connection.execute(_TAKE_PERMIT, params).scalar_one_or_none()

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
        state = self._slow_down(sender, now, factor, min_factor, cool_down_seconds)
        self._back_pressure_read[sender] = (now, state)
        if pause_seconds > 0:
            self._push_next_slot(sender, now + pause_seconds)
        return state

    def rate_factor(self, sender: str, now: float) -> float:
        """The sender's rate multiplier now (1.0: full rate), as of at most a second ago."""
        read = self._back_pressure_read.get(sender)
        if read is None or not 0 <= now - read[0] < BACK_PRESSURE_FRESH_SECONDS:
            read = (now, self.back_pressure(sender, now))
            self._back_pressure_read[sender] = read
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

    def _push_next_slot(self, sender: str, not_before: float) -> None:
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


# The hot statements, built once: constructing them per call (the aliased subquery above
# all) cost more CPU than running them. Values come in as bound parameters, and they run
# on a plain connection: no ORM session, no ORM objects, no bulk-update bookkeeping.
# acquire: 1.32 -> 0.58 ms of CPU per call on SQLite.
def _reserve_slot_statement() -> Update:
    next_slot = SenderPacingRow.next_slot_at
    now = bindparam("p_now", type_=Float)
    slot_start = case((next_slot > now, next_slot), else_=now)
    return (
        update(SenderPacingRow)
        .where(SenderPacingRow.sender == bindparam("p_sender"))
        .values(next_slot_at=slot_start + bindparam("p_interval", type_=Float))
        .returning(SenderPacingRow.next_slot_at)
    )


def _count_today_statement() -> Update:
    row = SenderDailyCountRow
    return (
        update(row)
        .where(
            row.sender == bindparam("p_sender"),
            row.day == bindparam("p_day"),
            row.sent < bindparam("p_cap"),
        )
        .values(sent=row.sent + 1)
        .returning(row.sent)
    )


def _take_permit_statement() -> Update:
    row, free = SenderSendSlotRow, aliased(SenderSendSlotRow)  # alias: not correlated
    cutoff = bindparam("p_cutoff", type_=Float)
    # Any free permit will do (each keeps its window alone), so no ORDER BY: the first
    # one found, rather than sorting every permit of a sender with thousands per window.
    any_free = (
        select(free.slot)
        .where(
            free.sender == bindparam("p_sender"),
            free.slot < bindparam("p_permits"),
            free.last_used_at <= cutoff,
        )
        .limit(1)
        # PostgreSQL: callers racing for a permit each lock a different free row instead
        # of queueing on the same one. SQLite has one writer at a time anyway.
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    # The second last_used_at test is what makes this safe under concurrency: a
    # process that picked the same row as a faster one finds it used and updates none.
    return (
        update(row)
        .where(
            row.sender == bindparam("p_sender"), row.slot == any_free, row.last_used_at <= cutoff
        )
        .values(last_used_at=bindparam("p_now", type_=Float))
        .returning(row.slot)
        .execution_options(synchronize_session=False)
    )


def _settle_statement(by_slot: bool) -> Update:
    row = SenderSendSlotRow
    which = [row.sender == bindparam("p_sender"), row.last_used_at == bindparam("p_granted")]
    if by_slot:
        which.append(row.slot == bindparam("p_slot"))
    return (
        update(row)
        .where(*which)
        .values(last_used_at=bindparam("p_sent", type_=Float))
        .execution_options(synchronize_session=False)
    )


_RESERVE_SLOT = _reserve_slot_statement()
_COUNT_TODAY = _count_today_statement()
_DAY_COUNTED = select(SenderDailyCountRow.sent).where(
    SenderDailyCountRow.sender == bindparam("p_sender"),
    SenderDailyCountRow.day == bindparam("p_day"),
)
_TAKE_PERMIT = _take_permit_statement()
_SETTLE_PERMIT = _settle_statement(by_slot=True)
_SETTLE_ANY_PERMIT = _settle_statement(by_slot=False)


_NOW_BY_DIALECT = {
    # julianday('now') carries milliseconds; the epoch is Julian day 2440587.5.
    "sqlite": text("SELECT (julianday('now') - 2440587.5) * 86400.0"),
    "postgresql": text("SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS DOUBLE PRECISION)"),
}


def database_now(connection: Connection) -> float:
    """Epoch seconds by the database server's clock: one clock for every host."""
    return float(connection.execute(_NOW_BY_DIALECT[connection.dialect.name]).scalar_one())


def utc_day(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).strftime("%Y-%m-%d")


def next_utc_midnight(epoch_seconds: float) -> float:
    today = datetime.fromtimestamp(epoch_seconds, UTC).date()
    midnight = datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    return midnight.timestamp()
