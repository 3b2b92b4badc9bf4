"""At a process's start: the database at the schema this code knows, checked (and, for the
process that migrates, brought there) in a short-lived child process.

Alembic, Mako and the migration scripts cost a long-running process about 11 MB of memory
that it never frees, for a check it makes once. The worker and the HTTP service therefore
run ``python -m store.migrate`` (store/migrate.py) and only read its verdict. A database
no second process can see (SQLite in memory) is checked in this process instead.
"""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

# The child reads the URL from here rather than its command line, which `ps` shows.
URL_VARIABLE = "HERALD_SCHEMA_URL"
SCHEMA_REFUSED = 3  # the child's exit code for "not the schema this code knows"


class SchemaError(RuntimeError):
    """The database's schema is not the one this code was written for."""


def prepare_schema(url: str, engine: Engine, *, migrate: bool) -> None:
    """Migrate if this process is the one to, then insist on this code's newest schema."""
    database = make_url(url).database
    if make_url(url).get_backend_name() == "sqlite" and (not database or database == ":memory:"):
        from store import migrate as in_process  # only here: its imports are the cost

        in_process.prepare_schema_here(url, engine, migrate=migrate)
        return
    command = [sys.executable, "-m", "store.migrate", "--migrate" if migrate else "--check"]
    done = subprocess.run(
        command,
        env={**os.environ, URL_VARIABLE: url},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == SCHEMA_REFUSED:
        raise SchemaError(done.stderr.strip())
    if done.returncode != 0:
        raise RuntimeError(
            f"checking the database schema failed (exit {done.returncode}): "
            f"{done.stderr.strip()[-2000:]}"
        )
