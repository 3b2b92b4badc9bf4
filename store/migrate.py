"""Bring a database to the newest schema with Alembic, once, and refuse a schema we do not know.

Migrations run in one place at a time: a PostgreSQL advisory lock (or, for SQLite, an
exclusive lock on a file beside the database) is held around every upgrade, so workers
started together, or the compose ``herald-migrate`` step beside a worker, never race.
Production runs them as a step of their own (``herald migrate``; the worker and the HTTP
service then have ``HERALD_MIGRATE_ON_START=false``); every process then checks that the
database is at the schema its code knows, and refuses to start on one it does not know (a
newer release's) or one not migrated yet.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from store.database import make_engine
from store.schema import SCHEMA_REFUSED, URL_VARIABLE, SchemaError

ALEMBIC_INI = Path(__file__).with_name("alembic.ini")
# pg_advisory_lock's key: any constant of Herald's own ("herald" in ASCII).
MIGRATION_LOCK_KEY = 0x686572616C64


def alembic_config(url: str) -> Config:
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """To the newest schema, under the migration lock (store/migrations/env.py takes it)."""
    command.upgrade(alembic_config(url), "head")


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """Held while migrating; a second migrator waits for the first to finish."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
                connection.commit()
        return
    database = make_url(str(engine.url)).database
    if not database or database == ":memory:":
        yield  # one process's own database: nobody to race
        return
    lock_path = Path(database).with_suffix(".migrate-lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def schema_revisions(url: str, engine: Engine) -> tuple[str | None, str, set[str]]:
    """(the database's revision, this code's newest, every revision this code knows)."""
    scripts = ScriptDirectory.from_config(alembic_config(url))
    known = {revision.revision for revision in scripts.walk_revisions()}
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, scripts.get_current_head() or "", known


def require_current_schema(url: str, engine: Engine) -> None:
    """Raise :class:`SchemaError` unless the database is at this code's newest schema."""
    current, head, known = schema_revisions(url, engine)
    if current == head:
        return
    if current is not None and current not in known:
        raise SchemaError(
            f"the database's schema is at revision {current!r}, which this release does not "
            f"know (its newest is {head!r}): a newer release migrated it. Run that release."
        )
    raise SchemaError(
        f"the database's schema is at revision {current!r}, not this release's {head!r}: "
        "run `herald migrate` (or set HERALD_MIGRATE_ON_START=true) first."
    )


def prepare_schema_here(url: str, engine: Engine, *, migrate: bool) -> None:
    """Migrate if this process is the one to, then insist on the right schema (in this
    process: long-running ones call store.schema.prepare_schema, which runs main below)."""
    if migrate:
        current, _head, known = schema_revisions(url, engine)
        if current is None or current in known:  # a newer release's schema: refused below
            upgrade(url)
    require_current_schema(url, engine)


def main(argv: list[str] | None = None) -> int:
    """``python -m store.migrate --check|--migrate``, the URL in HERALD_SCHEMA_URL."""
    parser = argparse.ArgumentParser(prog="python -m store.migrate")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--check", action="store_true")
    action.add_argument("--migrate", action="store_true")
    args = parser.parse_args(argv)
    url = os.environ[URL_VARIABLE]
    engine = make_engine(url)
    try:
        prepare_schema_here(url, engine, migrate=args.migrate)
    except SchemaError as refused:
        print(refused, file=sys.stderr)
        return SCHEMA_REFUSED
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
