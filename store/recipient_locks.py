"""One decision at a time per recipient, across every worker: the frequency cap's lock.

The send policy reads a phone's recent sends, then decides; two orders for one phone
deciding at the same moment would both read "none yet" and both send, past the cap. The
decision's last step (read the recent sends again, decide, claim the outbox row, which
then counts as a recent send) runs under this lock, so the second decider sees the first's
claim. PostgreSQL: a transaction-level advisory lock keyed by the recipient's hash. SQLite
(one host): an exclusive lock on a byte of a lock file beside the database, picked by the
hash, so different recipients rarely wait for each other; a file lock belongs to the
process, so threads of one process also take a lock of their own first.
"""

from __future__ import annotations

import fcntl
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

SQLITE_LOCK_BYTES = 4096  # distinct locks in the SQLite lock file
THREAD_LOCKS = 64  # distinct in-process locks in front of them


def lock_key(contact_hash: str) -> int:
    """A signed 64-bit key for ``pg_advisory_xact_lock``, stable across processes."""
    digest = hashlib.sha256(b"herald-recipient:" + contact_hash.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class RecipientLocks:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        database = make_url(str(engine.url)).database
        self._lock_file: Path | None = None
        self._thread_locks = [threading.Lock() for _ in range(THREAD_LOCKS)]
        if engine.dialect.name == "sqlite" and database and database != ":memory:":
            self._lock_file = Path(database).with_suffix(".recipient-locks")

    @contextmanager
    def hold(self, contact_hash: str) -> Iterator[Connection | None]:
        """Held until the block ends. On PostgreSQL the block gets the locking transaction's
        connection (the lock ends with it); elsewhere None."""
        if self._engine.dialect.name == "postgresql":
            with self._engine.begin() as connection:
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(contact_hash)}
                )
                yield connection
            return
        offset = abs(lock_key(contact_hash)) % SQLITE_LOCK_BYTES
        if self._lock_file is None:  # an in-memory database: this process alone
            with self._thread_locks[offset % THREAD_LOCKS]:
                yield None
            return
        with self._thread_locks[offset % THREAD_LOCKS], self._lock_file.open("a+b") as handle:
            fcntl.lockf(handle, fcntl.LOCK_EX, 1, offset)
            try:
                yield None
            finally:
                fcntl.lockf(handle, fcntl.LOCK_UN, 1, offset)
