"""PostgreSQL NOTIFY as a wake-up call: a watcher's early start, never its source of truth.

A notification is delivered only to sessions listening when its transaction commits, so it
is lost while the listener reconnects; the cursor catches up whatever was missed, and a
(re)connected listener wakes the watcher once at once for that reason. The payload is not
read: the table is, after the notification.
"""

from __future__ import annotations

import asyncio
import logging

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 60.0


def libpq_url(sqlalchemy_url: str) -> str:
    """``postgresql+psycopg://...`` as libpq reads it (query options such as ``options``
    pass through)."""
    return (
        make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)
    )


async def listen_for(sqlalchemy_url: str, channel: str, wake: asyncio.Event) -> None:
    """Set ``wake`` on every notification on ``channel``, reconnecting with a back-off,
    until cancelled. A SQLite URL has no notifications: returns at once."""
    if make_url(sqlalchemy_url).get_backend_name() != "postgresql":
        log.warning("NOTIFY channel %r ignored: the returns table is not on PostgreSQL", channel)
        return
    failures = 0
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(
                libpq_url(sqlalchemy_url), autocommit=True
            ) as connection:
                await connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                failures = 0
                wake.set()  # anything committed while nobody listened
                async for _notification in connection.notifies():
                    wake.set()
        except asyncio.CancelledError:
            raise
        except Exception as error:
            failures += 1
            log.warning("listening on %r failed (%s); polling meanwhile", channel, error)
            await asyncio.sleep(min(2.0**failures, MAX_BACKOFF_SECONDS))
