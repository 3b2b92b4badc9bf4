"""The clocks the send window goes by: the database server's, and UTC calendar days.

Permit stamps come from the database's clock rather than each host's: two hosts whose
clocks are 300 ms apart would otherwise both find a permit free inside one window.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, text

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
