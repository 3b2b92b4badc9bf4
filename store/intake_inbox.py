"""The intake's inbox: order-source events acknowledged but not yet signalled to Temporal.

A source (a Shopify webhook, a carrier tracker) is answered as soon as its event is written
here, not once Temporal has it: so an acknowledged event is never lost when the Temporal
server is slow or restarting, and a burst is absorbed by this table instead of being refused.
A dispatcher then signals Temporal (signal-with-start) at a controlled rate, marks what went
through, and puts a failed row back with a later retry time. The backlog (``backlog``,
``oldest_pending_age``) is what the intake answers 429 on.

A source's redelivery of the same event (the same delivery id) is one row: ``dedupe_key``
is unique. Events carry contact details, so they are kept sealed (privacy/sealed.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Row,
    and_,
    case,
    delete,
    func,
    or_,
    select,
    tuple_,
    update,
)

from privacy.sealed import Sealer
from store.database import dialect_insert, locked_batch
from store.intake_tables import IntakeInboxRow

INBOX = IntakeInboxRow.__table__


SourceKey = tuple[str, str]  # (source, account)
Position = tuple[datetime, int]  # (dispatched_at, id): where a prune stopped


@dataclass(frozen=True)
class PruneBatch:
    deleted: int
    last: Position | None  # the newest row deleted


@dataclass(frozen=True)
class SourceActivity:
    last_event_at: datetime | None
    events_since: int
    waiting: int
    oldest_waiting_at: datetime | None = None


@dataclass(frozen=True)
class IntakeRecord:
    """What a source hands the inbox: its event in canonical form, and how to signal it."""

    source: str
    account: str
    dedupe_key: str  # the source's delivery id: a redelivery is the same key
    workflow_id: str
    event_id: str
    event_json: bytes  # the canonical MilestoneEvent JSON


@dataclass(frozen=True)
class PendingEvent:
    """An inbox row not dispatched yet, its event opened."""

    id: int
    source: str
    account: str
    dedupe_key: str
    workflow_id: str
    event_id: str
    event_json: bytes
    received_at: datetime
    attempts: int
    last_error: str | None


class IntakeInbox:
    def __init__(self, engine: Engine, sealer: Sealer) -> None:
        self._engine = engine
        self._sealer = sealer

    def add(self, record: IntakeRecord, now: datetime) -> bool:
        """Keep ``record``: True if new, False if its dedupe_key came before (nothing
        written). ``ON CONFLICT DO NOTHING``, so two replicas given the same redelivery at
        once cannot fail on each other."""
        return self.add_all([record], now) == 1

    def add_all(self, records: Sequence[IntakeRecord], now: datetime) -> int:
        """Keep a payload's events in one transaction: all or none acknowledged. How many
        were new."""
        with self._engine.begin() as connection:
            return self.add_all_in(connection, records, now)

    def add_all_in(
        self, connection: Connection, records: Sequence[IntakeRecord], now: datetime
    ) -> int:
        """``add_all`` in the caller's transaction (with what else the intake writes).

        Besides its own dedupe key, an event the inbox already holds for the same order
        (the same workflow and event id, from any source) is a duplicate: the order's
        workflow drops a repeat while it runs, but one closed (a week after its last
        milestone) would start again and tell the customer twice. So Shopify's and a
        tracker's reports of one delivery, or a returns row re-read after its workflow
        ended, are one row for as long as the inbox keeps the first (7 days; an order's
        newest row 60)."""
        insert = dialect_insert(connection.dialect.name)
        added = 0
        for record in records:
            if self._holds(connection, record.workflow_id, record.event_id):
                continue
            statement = (
                insert(INBOX)
                .values(
                    source=record.source,
                    account=record.account,
                    dedupe_key=record.dedupe_key,
                    workflow_id=record.workflow_id,
                    event_id=record.event_id,
                    event=self._sealer.seal(record.event_json),
                    received_at=now,
                    attempts=0,
                )
                .on_conflict_do_nothing(index_elements=[INBOX.c.dedupe_key])
                .returning(INBOX.c.id)
            )
            added += connection.execute(statement).first() is not None
        return added

    @staticmethod
    def _holds(connection: Connection, workflow_id: str, event_id: str) -> bool:
        held = select(INBOX.c.id).where(
            INBOX.c.workflow_id == workflow_id, INBOX.c.event_id == event_id
        )
        return connection.execute(held.limit(1)).first() is not None

    def due(self, now: datetime, limit: int) -> list[PendingEvent]:
        """Pending rows whose next attempt is due, oldest first, without claiming them."""
        statement = select(*INBOX.c).where(_due(now)).order_by(INBOX.c.id).limit(limit)
        with self._engine.connect() as connection:
            return [self._pending(row) for row in connection.execute(statement)]

    def claim_due(self, now: datetime, limit: int, lease_seconds: float) -> list[PendingEvent]:
        """Due rows, oldest first, leased to this caller for ``lease_seconds``: their
        next_attempt_at moves to now + lease in the statement that selects them, so another
        dispatcher (another HTTP replica) does not take them until the lease runs out. A
        dispatcher that dies holding a lease loses nothing: the row is due again after it.

        One statement on both backends: ``UPDATE ... WHERE id IN chosen RETURNING``, the
        ids a ``locked_batch`` (store/database.py: SKIP LOCKED, materialized, and why).
        The due condition is repeated on the UPDATE since PostgreSQL re-checks only that
        on a row another transaction changed meanwhile.
        """
        chosen = locked_batch(INBOX.c.id, _due(now), [INBOX.c.id], limit)
        statement = (
            update(INBOX)
            .where(INBOX.c.id.in_(select(chosen.c.id)), _due(now))
            .values(next_attempt_at=now + timedelta(seconds=lease_seconds))
            .returning(*INBOX.c)
        )
        with self._engine.begin() as connection:
            rows = connection.execute(statement).all()
        return [self._pending(row) for row in sorted(rows, key=lambda r: r.id)]

    def dispatched(self, ids: Sequence[int], now: datetime) -> None:
        """Temporal has these events: they are done (a row dispatched before stays as it was)."""
        if not ids:
            return
        statement = (
            update(INBOX)
            .where(INBOX.c.id.in_(list(ids)), INBOX.c.dispatched_at.is_(None))
            .values(dispatched_at=now, next_attempt_at=None)
        )
        with self._engine.begin() as connection:
            connection.execute(statement)

    def failed(self, id: int, error: str, retry_at: datetime) -> None:
        """Signalling failed: the row is due again at ``retry_at`` (which replaces its lease)."""
        statement = (
            update(INBOX)
            .where(INBOX.c.id == id, INBOX.c.dispatched_at.is_(None))
            .values(attempts=INBOX.c.attempts + 1, next_attempt_at=retry_at, last_error=error)
        )
        with self._engine.begin() as connection:
            connection.execute(statement)

    def backlog(self) -> int:
        """Rows not dispatched yet, due or not (leased, waiting for a retry)."""
        statement = select(func.count()).select_from(INBOX).where(_pending())
        with self._engine.connect() as connection:
            return connection.execute(statement).scalar_one()

    def backlog_reaches(self, limit: int) -> bool:
        """Whether at least ``limit`` rows wait: stops reading at the limit, unlike a
        count, so a source's every request can ask it."""
        statement = select(INBOX.c.id).where(_pending()).offset(limit - 1).limit(1)
        with self._engine.connect() as connection:
            return connection.execute(statement).first() is not None

    def oldest_pending_age(self, now: datetime) -> float | None:
        """Seconds since the oldest undispatched event came in; None: nothing pending."""
        statement = select(func.min(INBOX.c.received_at)).where(_pending())
        with self._engine.connect() as connection:
            oldest: datetime | None = connection.execute(statement).scalar_one()
        return None if oldest is None else (now - oldest).total_seconds()

    def activity(
        self, since: datetime, *, recent_only: bool = False
    ) -> dict[SourceKey, SourceActivity]:
        """Per source and account: its last event, its events since ``since``, its backlog
        and its oldest waiting event.

        ``recent_only`` reads only the rows pending or dispatched since ``since`` (two range
        scans of ``ix_intake_inbox_pending``: as many rows as the window brought, not the
        table): every event received since then is among them, so the counts are exact,
        but a source whose last event is older is missing (intake/health_monitor.py
        remembers it). Without it, the whole table is read (the CLI, once a start).
        """
        pending = _pending()
        waiting = func.sum(case((pending, 1), else_=0))
        recent = func.sum(case((INBOX.c.received_at >= since, 1), else_=0))
        oldest_waiting = func.min(INBOX.c.received_at).filter(pending)
        statement = select(
            INBOX.c.source,
            INBOX.c.account,
            func.max(INBOX.c.received_at),
            recent,
            waiting,
            oldest_waiting,
        ).group_by(INBOX.c.source, INBOX.c.account)
        if recent_only:
            statement = statement.where(or_(pending, INBOX.c.dispatched_at >= since))
        with self._engine.connect() as connection:
            rows = connection.execute(statement).all()
        return {
            (source, account): SourceActivity(
                last, int(recent_count or 0), int(waiting_count or 0), oldest
            )
            for source, account, last, recent_count, waiting_count, oldest in rows
        }

    def prune_dispatched(self, before: datetime, limit: int) -> PruneBatch:
        """Delete up to ``limit`` rows dispatched before ``before``, oldest first. Pending
        rows are never touched.

        One short transaction per batch, the rows chosen through the ``dispatched_at``
        index and locked with SKIP LOCKED (the claim's materialized CTE, for the same
        reason): two replicas pruning at once take different rows, and a row deleted twice
        is simply gone. A delivery id redelivered after its row went is new again, which
        is why the retention must outlast every source's redelivery window.
        """
        return self._prune(INBOX.c.dispatched_at < before, limit)

    def prune_superseded(
        self, before: datetime, limit: int, after: Position | None = None
    ) -> PruneBatch:
        """As ``prune_dispatched``, but only rows a later event of the same order follows,
        so an order's newest row stays (a later payload that names no customer, a Shopify
        fulfillment event weeks after a backorder, finds its customer there:
        ``latest_event``). ``after``: start past this (dispatched_at, id), where the last
        batch stopped, so kept rows are read once a pass rather than once a batch."""
        condition = and_(INBOX.c.dispatched_at < before, _superseded())
        if after is not None:
            condition = and_(condition, tuple_(INBOX.c.dispatched_at, INBOX.c.id) > after)
        return self._prune(condition, limit)

    def _prune(self, condition: ColumnElement[bool], limit: int) -> PruneBatch:
        order = [INBOX.c.dispatched_at, INBOX.c.id]
        chosen = locked_batch(INBOX.c.id, condition, order, limit)
        # RETURNING counts: SQLite's cursor reports no rowcount for a statement led by WITH.
        statement = (
            delete(INBOX)
            .where(INBOX.c.id.in_(select(chosen.c.id)))
            .returning(INBOX.c.dispatched_at, INBOX.c.id)
        )
        with self._engine.begin() as connection:
            gone = [(at, id) for at, id in connection.execute(statement).all()]
        return PruneBatch(len(gone), max(gone) if gone else None)

    def latest_event(self, workflow_id: str) -> bytes | None:
        """The newest event this order's sources sent, opened: a later payload that names
        no customer (a Shopify fulfillment event) reaches the same one."""
        statement = (
            select(INBOX.c.event)
            .where(INBOX.c.workflow_id == workflow_id)
            .order_by(INBOX.c.id.desc())
            .limit(1)
        )
        with self._engine.connect() as connection:
            sealed = connection.execute(statement).scalar_one_or_none()
        return None if sealed is None else self._sealer.open(sealed)

    def _pending(self, row: Row[tuple[object, ...]]) -> PendingEvent:
        return PendingEvent(
            id=row.id,
            source=row.source,
            account=row.account,
            dedupe_key=row.dedupe_key,
            workflow_id=row.workflow_id,
            event_id=row.event_id,
            event_json=self._sealer.open(row.event),
            received_at=row.received_at,
            attempts=row.attempts,
            last_error=row.last_error,
        )


def _pending() -> ColumnElement[bool]:
    return INBOX.c.dispatched_at.is_(None)


def _due(now: datetime) -> ColumnElement[bool]:
    next_attempt = INBOX.c.next_attempt_at
    return and_(_pending(), or_(next_attempt.is_(None), next_attempt <= now))


def _superseded() -> ColumnElement[bool]:
    """A later event of the same order is in the inbox (``ix_intake_inbox_workflow_id``)."""
    newer = INBOX.alias("newer")
    return (
        select(newer.c.id)
        .where(newer.c.workflow_id == INBOX.c.workflow_id, newer.c.id > INBOX.c.id)
        .exists()
    )
