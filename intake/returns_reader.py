"""Reading a retailer's returns table: its own read-only engine, pages in (updated_at, id)
order, and the table's times as Herald's (aware, UTC).

Only the configured columns are selected (what leaves the retailer's database is what the
mapping needs). The table is reflected once, so a missing table or column is one clear
error ("returns table 'returns' has no column 'customer_phone'") instead of a SQL one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    MetaData,
    Table,
    create_engine,
    event,
    func,
    select,
    text,
    tuple_,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import NoSuchTableError

from intake.sources.returns_table import ReturnsTable
from store.intake_cursors import Position

STATEMENT_TIMEOUT_MS = 30_000  # a hung query on the retailer's side fails, then backs off


class ReturnsTableError(RuntimeError):
    """The configured table or columns are not what the database has."""


@dataclass(frozen=True)
class ReadRow:
    """One row as read: its place in the cursor's order and its configured columns."""

    position: Position
    values: Mapping[str, Any]


def source_engine(url: str) -> Engine:
    """The retailer's database, read-only: a PostgreSQL transaction is READ ONLY (grant the
    role SELECT only as well), a SQLite connection is ``query_only``."""
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_query_only)
        return engine
    engine = create_engine(url, pool_pre_ping=True, pool_size=1, max_overflow=1)
    return engine.execution_options(postgresql_readonly=True)


def _sqlite_query_only(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only = ON")
    cursor.close()


class ReturnsReader:
    def __init__(self, engine: Engine, config: ReturnsTable) -> None:
        self._engine, self._config = engine, config
        self._table: Table | None = None

    def newest(self) -> Position | None:
        """The table's latest change (where a watcher that starts "now" starts)."""
        table = self._reflect()
        updated, ident = self._ordering(table)
        latest = select(func.max(updated)).scalar_subquery()
        statement = select(updated, ident).where(updated == latest).order_by(ident.desc())
        with self._engine.connect() as connection:
            self._limit_time(connection)
            row = connection.execute(statement.limit(1)).first()
        return None if row is None else Position(self._utc(row[0]), str(row[1]))

    def page(self, after: Position | None, *, inclusive: bool, limit: int) -> list[ReadRow]:
        """Up to ``limit`` rows after ``after`` in (updated_at, id) order; ``inclusive``:
        from ``after.at`` on, whatever the id (a pass's first page, behind the cursor)."""
        table = self._reflect()
        updated, ident = self._ordering(table)
        columns = [table.c[name] for name in self._config.columns.read()]
        statement = select(*columns).order_by(updated, ident).limit(limit)
        if after is not None:
            at = self._bound(after.at, updated)
            if inclusive:
                statement = statement.where(updated >= at)
            else:
                last = (at, _typed_id(after.id, ident))
                statement = statement.where(tuple_(updated, ident) > tuple_(*last))
        with self._engine.connect() as connection:
            self._limit_time(connection)
            rows = connection.execute(statement).mappings().all()
        names = self._config.columns
        return [
            ReadRow(Position(self._utc(row[names.updated_at]), str(row[names.id])), row)
            for row in rows
            if row[names.updated_at] is not None
        ]

    def dispose(self) -> None:
        self._engine.dispose()

    def _reflect(self) -> Table:
        if self._table is not None:
            return self._table
        schema, _, name = self._config.table.rpartition(".")
        try:
            table = Table(name, MetaData(), schema=schema or None, autoload_with=self._engine)
        except NoSuchTableError as exc:
            raise ReturnsTableError(f"no returns table {self._config.table!r}") from exc
        missing = [c for c in self._config.columns.read() if c not in table.c]
        if missing:
            raise ReturnsTableError(
                f"returns table {self._config.table!r} has no column "
                + ", ".join(repr(c) for c in missing)
            )
        self._table = table
        return table

    def _ordering(self, table: Table) -> tuple[Column[Any], Column[Any]]:
        return table.c[self._config.columns.updated_at], table.c[self._config.columns.id]

    def _limit_time(self, connection: Connection) -> None:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}"))

    def _utc(self, value: Any) -> datetime:
        """A row's time as aware UTC; one without an offset is in the table's zone."""
        if isinstance(value, str):  # SQLite without a declared DATETIME type
            value = datetime.fromisoformat(value)
        if not isinstance(value, datetime):
            raise ReturnsTableError(f"{self._config.columns.updated_at!r} is no time: {value!r}")
        if value.tzinfo is None:
            value = value.replace(tzinfo=ZoneInfo(self._config.timestamps_time_zone))
        return value.astimezone(UTC)

    def _bound(self, moment: datetime, column: Column[Any]) -> datetime:
        """``moment`` as the column compares it: aware for ``timestamptz``, else naive in
        the table's zone (PostgreSQL would otherwise read it in the session's zone)."""
        if isinstance(column.type, DateTime) and column.type.timezone:
            return moment
        zone = ZoneInfo(self._config.timestamps_time_zone)
        return moment.astimezone(zone).replace(tzinfo=None)


def _typed_id(value: str, column: Column[Any]) -> Any:
    """The cursor's id (kept as text) as the column's own type: a number, a UUID."""
    try:
        kind = column.type.python_type
    except NotImplementedError:
        return value
    return value if kind is str else kind(value)
