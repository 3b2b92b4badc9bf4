"""Test databases: a fresh SQLite file, and a throwaway PostgreSQL schema when enabled.

PostgreSQL runs when ``HERALD_TEST_POSTGRES_URL`` names a server (``.ci/run`` sets it);
each use gets its own schema, dropped afterwards, so runs never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POSTGRES_URL_VARIABLE = "HERALD_TEST_POSTGRES_URL"


def postgres_server_url() -> str | None:
    return os.environ.get(POSTGRES_URL_VARIABLE) or None


def backends() -> list[str]:
    return ["sqlite", "postgresql"] if postgres_server_url() else ["sqlite"]


@contextmanager
def fresh_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'herald-test.sqlite3'}"
        return
    server = postgres_server_url()
    assert server, f"{POSTGRES_URL_VARIABLE} is not set"
    schema = f"herald_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
