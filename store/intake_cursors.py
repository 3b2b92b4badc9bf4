"""How far each polled source has been read, which replica reads it, and how that goes.

A watcher (intake/returns_watcher.py) reads a retailer's table in ``(updated_at, id)``
order; its position is kept here, so a restart, or another replica taking over, resumes
where the last read stopped. One replica reads a source at a time: the row holds a lease
(``holder``, ``lease_until``) that :meth:`IntakeCursors.acquire` takes only when free,
expired or already its own, and every :meth:`advance` is conditional on still holding it,
in the caller's transaction: a replica whose lease was taken while it read writes nothing
(the events it read roll back with the cursor; the new holder reads them again).

The same row is the watcher's health: when it last read to the end of its table
(``caught_up_at``), its errors in a row and the last one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, Engine, Row, and_, or_, select, update

from store.database import dialect_insert
from store.intake_tables import IntakeCursorRow

CURSORS = IntakeCursorRow.__table__
_ERROR_MAX = 500


@dataclass(frozen=True)
class Position:
    """The last row read: its updated_at and its id (as text; the table's own type may be
    a number, which the watcher converts back)."""

    at: datetime
    id: str


@dataclass(frozen=True)
class CursorState:
    source: str
    account: str
    position: Position | None
    holder: str | None
    lease_until: datetime | None
    caught_up_at: datetime | None
    rows_read: int
    failures: int
    last_error: str | None
    last_error_at: datetime | None
    updated_at: datetime

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["position"] = (
            {"at": self.position.at.isoformat(), "id": self.position.id} if self.position else None
        )
        for key in ("lease_until", "caught_up_at", "last_error_at", "updated_at"):
            value = data[key]
            data[key] = value.isoformat() if value is not None else None
        return data


class IntakeCursors:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def acquire(
        self, source: str, account: str, holder: str, now: datetime, lease_seconds: float
    ) -> CursorState | None:
        """The cursor, leased to ``holder`` until now + lease; None: another replica holds
        an unexpired lease. Renews a lease ``holder`` already has. One conditional UPDATE,
        so two replicas asking at once cannot both get it."""
        insert = dialect_insert(self._engine.dialect.name)
        key = _key(source, account)
        statement = (
            update(CURSORS)
            .where(
                key,
                or_(
                    CURSORS.c.holder.is_(None),
                    CURSORS.c.holder == holder,
                    CURSORS.c.lease_until.is_(None),
                    CURSORS.c.lease_until <= now,
                ),
            )
            .values(holder=holder, lease_until=now + timedelta(seconds=lease_seconds))
            .returning(*CURSORS.c)
        )
        with self._engine.begin() as connection:
            connection.execute(
                insert(CURSORS)
                .values(source=source, account=account, updated_at=now)
                .on_conflict_do_nothing(index_elements=[CURSORS.c.source, CURSORS.c.account])
            )
            row = connection.execute(statement).first()
        return None if row is None else _state(row)

    def advance(
        self,
        connection: Connection,
        source: str,
        account: str,
        holder: str,
        position: Position | None,
        rows: int,
        now: datetime,
        lease_seconds: float,
    ) -> bool:
        """In the caller's transaction: the new position (None: unchanged), ``rows`` more
        read, the lease renewed. False, and nothing written: ``holder`` lost the lease, and
        the caller must roll back what it wrote beside it.

        Run it first in the transaction: on PostgreSQL it locks the cursor row, so the
        lease cannot change hands before the transaction ends."""
        values: dict[str, object] = {
            "rows_read": CURSORS.c.rows_read + rows,
            "lease_until": now + timedelta(seconds=lease_seconds),
            "updated_at": now,
        }
        if position is not None:
            values.update(position_at=position.at, position_id=position.id)
        statement = (
            update(CURSORS)
            .where(_key(source, account), CURSORS.c.holder == holder)
            .values(**values)
        )
        return connection.execute(statement).rowcount == 1

    def caught_up(self, source: str, account: str, holder: str, now: datetime) -> None:
        """``holder`` read to the end of the source: no errors in a row any more."""
        statement = (
            update(CURSORS)
            .where(_key(source, account), CURSORS.c.holder == holder)
            .values(caught_up_at=now, failures=0, updated_at=now)
        )
        with self._engine.begin() as connection:
            connection.execute(statement)

    def failed(self, source: str, account: str, error: str, now: datetime) -> None:
        """A read failed (the retailer's database away, a column renamed): counted and
        kept, for the intake's status."""
        insert = dialect_insert(self._engine.dialect.name)
        with self._engine.begin() as connection:
            connection.execute(
                insert(CURSORS)
                .values(source=source, account=account, updated_at=now)
                .on_conflict_do_nothing(index_elements=[CURSORS.c.source, CURSORS.c.account])
            )
            connection.execute(
                update(CURSORS)
                .where(_key(source, account))
                .values(
                    failures=CURSORS.c.failures + 1,
                    last_error=error[:_ERROR_MAX],
                    last_error_at=now,
                    updated_at=now,
                )
            )

    def release(self, source: str, account: str, holder: str) -> None:
        """Give the lease up (a replica stopping): another replica takes over at once
        instead of after the lease runs out."""
        statement = (
            update(CURSORS)
            .where(_key(source, account), CURSORS.c.holder == holder)
            .values(holder=None, lease_until=None)
        )
        with self._engine.begin() as connection:
            connection.execute(statement)

    def get(self, source: str, account: str) -> CursorState | None:
        with self._engine.connect() as connection:
            row = connection.execute(select(*CURSORS.c).where(_key(source, account))).first()
        return None if row is None else _state(row)

    def all(self) -> list[CursorState]:
        statement = select(*CURSORS.c).order_by(CURSORS.c.source, CURSORS.c.account)
        with self._engine.connect() as connection:
            return [_state(row) for row in connection.execute(statement)]


def _key(source: str, account: str) -> ColumnElement[bool]:
    return and_(CURSORS.c.source == source, CURSORS.c.account == account)


def _state(row: Row[tuple[object, ...]]) -> CursorState:
    position = None
    if row.position_at is not None and row.position_id is not None:
        position = Position(row.position_at, row.position_id)
    return CursorState(
        source=row.source,
        account=row.account,
        position=position,
        holder=row.holder,
        lease_until=row.lease_until,
        caught_up_at=row.caught_up_at,
        rows_read=row.rows_read,
        failures=row.failures,
        last_error=row.last_error,
        last_error_at=row.last_error_at,
        updated_at=row.updated_at,
    )
