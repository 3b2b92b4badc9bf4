"""The intake's dead letters: source payloads it could not process, kept for a fix.

Every payload the intake cannot turn into a milestone (unparseable, failing validation, a
mapping that does not know it) is kept here with its source, account and reason, so it can
be read, replayed once the mapping or configuration is fixed, or discarded. The same
payload failing again is one row, counted (``fingerprint``: sha256 of source, account and
the raw body), and a closed one (replayed, discarded) that fails again is live again: the
fix did not hold. ``priority`` (higher first: critical milestones, orders affected) orders
the list so the failures that cost most are seen first. Payloads hold contact details, so
they are kept sealed (privacy/sealed.py); the list never opens them.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Row,
    and_,
    delete,
    func,
    select,
    update,
)

from privacy.sealed import Sealer
from store.database import dialect_insert, locked_batch
from store.intake_tables import IntakeDeadLetterRow

DEAD = IntakeDeadLetterRow.__table__
SUMMARY_COLUMNS = [c for c in DEAD.c if c.name != "payload"]


@dataclass(frozen=True)
class DeadLetterSummary:
    """A dead letter as listed: everything but its payload."""

    id: int
    fingerprint: str
    source: str
    account: str
    reason: str
    priority: int
    first_seen: datetime
    last_seen: datetime
    count: int
    replayed_at: datetime | None
    discarded_at: datetime | None
    # As ranked by ``list`` (elsewhere: unknown). Keyword-only: DeadLetter adds a field.
    orders_affected: int | None = field(default=None, kw_only=True)
    source_error_rate: float | None = field(default=None, kw_only=True)

    @property
    def closed(self) -> bool:
        return self.replayed_at is not None or self.discarded_at is not None

    def as_json(self) -> dict[str, object]:
        """What people are shown of it (the CLI and the HTTP routes): no payload."""
        return {
            "id": self.id,
            "priority": self.priority,
            "source": self.source,
            "account": self.account,
            "count": self.count,
            "first_seen": self.first_seen.isoformat(timespec="seconds"),
            "last_seen": self.last_seen.isoformat(timespec="seconds"),
            "reason": self.reason,
            "closed": self.closed,
            "orders_affected": self.orders_affected,
            "source_error_rate": self.source_error_rate,
        }


@dataclass(frozen=True)
class DeadLetter(DeadLetterSummary):
    """A dead letter with its raw payload, opened."""

    payload: bytes


Summaries = list[DeadLetterSummary]  # ``list`` is a method name below


def fingerprint(source: str, account: str, payload: bytes) -> str:
    """The same failing payload from the same source and account: the same fingerprint."""
    digest = hashlib.sha256()
    for part in (source.encode(), account.encode(), payload):
        digest.update(len(part).to_bytes(8, "big"))  # length-prefixed: no two splits collide
        digest.update(part)
    return digest.hexdigest()


class DeadLetters:
    def __init__(self, engine: Engine, sealer: Sealer) -> None:
        self._engine = engine
        self._sealer = sealer

    def keep(
        self, source: str, account: str, reason: str, payload: bytes, priority: int, now: datetime
    ) -> int:
        """Keep a payload that failed; its dead letter's id. A repeat counts one more and
        takes the latest reason and priority, keeping first_seen; a closed one opens again.
        One ``INSERT ... ON CONFLICT DO UPDATE``: two replicas failing the same payload at
        once count twice, neither fails."""
        with self._engine.begin() as connection:
            return self.keep_in(connection, source, account, reason, payload, priority, now)

    def keep_in(
        self,
        connection: Connection,
        source: str,
        account: str,
        reason: str,
        payload: bytes,
        priority: int,
        now: datetime,
    ) -> int:
        """``keep`` in the caller's transaction (with the cursor of the watcher that read it)."""
        insert = dialect_insert(connection.dialect.name)
        statement = insert(DEAD).values(
            fingerprint=fingerprint(source, account, payload),
            source=source,
            account=account,
            reason=reason,
            priority=priority,
            payload=self._sealer.seal(payload),
            first_seen=now,
            last_seen=now,
            count=1,
        )
        statement = statement.on_conflict_do_update(
            index_elements=[DEAD.c.fingerprint],
            set_={
                "count": DEAD.c["count"] + 1,
                "last_seen": statement.excluded.last_seen,
                "reason": statement.excluded.reason,
                "priority": statement.excluded.priority,
                "replayed_at": None,
                "discarded_at": None,
            },
        ).returning(DEAD.c.id)
        return connection.execute(statement).scalar_one()

    def get(self, id: int) -> DeadLetter | None:
        with self._engine.connect() as connection:
            row = connection.execute(select(*DEAD.c).where(DEAD.c.id == id)).first()
        if row is None:
            return None
        return DeadLetter(**_summary_fields(row), payload=self._sealer.open(row.payload))

    def discard(self, id: int, now: datetime) -> bool:
        """Close a live dead letter without replaying it; False: none live by that id."""
        return self._close(id, discarded_at=now)

    def replayed(self, id: int, now: datetime) -> bool:
        """Its payload went through the intake again; False: none live by that id."""
        return self._close(id, replayed_at=now)

    def _close(self, id: int, **closed_at: datetime) -> bool:
        statement = update(DEAD).where(DEAD.c.id == id, _live()).values(**closed_at)
        with self._engine.begin() as connection:
            return connection.execute(statement).rowcount == 1

    def prune_closed(self, before: datetime, limit: int) -> int:
        """Delete up to ``limit`` dead letters replayed or discarded before ``before``; how
        many went. Open ones are never pruned, and a closed one that failed again is open
        (``keep``). Batches and SKIP LOCKED as the inbox's prune, for the same reasons."""
        closed_at = func.coalesce(DEAD.c.replayed_at, DEAD.c.discarded_at)
        chosen = locked_batch(DEAD.c.id, closed_at < before, [DEAD.c.id], limit)
        # RETURNING counts: SQLite's cursor reports no rowcount for a statement led by WITH.
        statement = delete(DEAD).where(DEAD.c.id.in_(select(chosen.c.id))).returning(DEAD.c.id)
        with self._engine.begin() as connection:
            return len(connection.execute(statement).all())

    def open_count(self) -> int:
        """Dead letters neither replayed nor discarded."""
        statement = select(func.count()).select_from(DEAD).where(_live())
        with self._engine.connect() as connection:
            return int(connection.execute(statement).scalar_one())

    def seen_since(self, since: datetime) -> dict[tuple[str, str], int]:
        """Per source and account, the dead letters seen since ``since`` (a repeated
        payload once)."""
        statement = (
            select(DEAD.c.source, DEAD.c.account, func.count())
            .where(DEAD.c.last_seen >= since)
            .group_by(DEAD.c.source, DEAD.c.account)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(statement).all()
        return {(source, account): int(n) for source, account, n in rows}

    def open_by_priority(self) -> dict[tuple[str, str, int], int]:
        """Open dead letters per source, account and priority: one pass over a table that
        pruning keeps to the open letters and a month of closed ones."""
        statement = (
            select(DEAD.c.source, DEAD.c.account, DEAD.c.priority, func.count())
            .where(_live())
            .group_by(DEAD.c.source, DEAD.c.account, DEAD.c.priority)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(statement).all()
        return {(source, account, priority): int(n) for source, account, priority, n in rows}

    def list(
        self,
        limit: int,
        include_closed: bool = False,
        error_rates: Mapping[tuple[str, str], float] | None = None,
    ) -> Summaries:
        """Most impact first: priority (critical milestones), then how many orders the same
        failure affects, then the source's error rate (``error_rates``, per source and
        account: intake/health.py), then the most recently seen; live ones only unless
        ``include_closed``. Payloads are not opened.

        The orders a failure affects: the live dead letters of the same source and account
        whose reasons differ only in the order, tracking code or value they name
        (``failure_kind``). Each is a distinct payload, and a payload is one order's (or
        return's, or shipment's) event, so fixing the failure at the top repairs that many
        customers' notifications. Ranked here rather than in SQL, since the kind is read
        from the reason's text; the table holds the open letters and a month of closed
        ones (intake/housekeeping.py), and no payload is read.
        """
        statement = select(*SUMMARY_COLUMNS)
        if not include_closed:
            statement = statement.where(_live())
        with self._engine.connect() as connection:
            rows = connection.execute(statement).all()
        letters = [DeadLetterSummary(**_summary_fields(row)) for row in rows]
        affected = Counter(_failure(letter) for letter in letters if not letter.closed)
        rates = error_rates or {}

        def impact(letter: DeadLetterSummary) -> tuple[float, ...]:
            rate = rates.get((letter.source, letter.account), 0.0)
            seen = letter.last_seen.timestamp()
            return (-letter.priority, -affected[_failure(letter)], -rate, -seen, -letter.id)

        return [
            replace(
                letter,
                orders_affected=affected[_failure(letter)],
                source_error_rate=rates.get((letter.source, letter.account)),
            )
            for letter in sorted(letters, key=impact)[:limit]
        ]


def failure_kind(reason: str) -> str:
    """A reason without what names one order: every word holding a digit (an order number,
    a tracking code, a phone, a position in a JSON error) becomes ``#``, so the same broken
    mapping over many orders is one failure, while the field or status a reason names
    (``'status'``, tag ``'Weird'``) still tells two failures apart."""
    return _NAMING.sub("#", reason)


_NAMING = re.compile(r"[^\s:;,()]*\d[^\s:;,()]*")


def _failure(letter: DeadLetterSummary) -> tuple[str, str, str]:
    return letter.source, letter.account, failure_kind(letter.reason)


def _summary_fields(row: Row[tuple[object, ...]]) -> dict[str, object]:
    return {column.name: row._mapping[column.name] for column in SUMMARY_COLUMNS}


def _live() -> ColumnElement[bool]:
    return and_(DEAD.c.replayed_at.is_(None), DEAD.c.discarded_at.is_(None))
