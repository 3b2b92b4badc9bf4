"""A watcher's health from its cursor row (store/intake_cursors.py): how long since it last
read its table to the end (its lag: a change made before then has been seen, but for what
commits later than the overlap), and its errors in a row.

``failing``: the last pass failed (the retailer's database away, a column renamed; the
error is shown). ``lagging``: no pass has read to the end for LAGGING_AFTER (no replica
watching, or a backlog being worked through). Pure: the cursor in, a verdict out.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from store.intake_cursors import CursorState

LAGGING_AFTER = timedelta(minutes=2)


def watcher_health(cursor: CursorState, now: datetime) -> dict[str, object]:
    lag = None if cursor.caught_up_at is None else (now - cursor.caught_up_at).total_seconds()
    if cursor.failures:
        status = "failing"
    elif lag is None or lag > LAGGING_AFTER.total_seconds():
        status = "lagging"
    else:
        status = "ok"
    return {
        "source": cursor.source,
        "account": cursor.account,
        "status": status,
        "lag_seconds": lag,
        "position_at": cursor.position.at.isoformat() if cursor.position else None,
        "rows_read": cursor.rows_read,
        "failures": cursor.failures,
        "last_error": cursor.last_error,
        "last_error_at": cursor.last_error_at.isoformat() if cursor.last_error_at else None,
        "holder": cursor.holder,
    }
