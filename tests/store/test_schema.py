"""A long-running process's schema check, made in a child process so that Alembic never
stays in its memory: the child's verdict reaches the caller unchanged."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from store.database import make_engine
from store.schema import SchemaError, prepare_schema
from tests.helpers.databases import backends, fresh_database_url

PROJECT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("backend", backends())
def test_the_process_that_migrates_brings_a_new_database_to_the_schema(
    backend: str, tmp_path: Path
) -> None:
    with fresh_database_url(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            with pytest.raises(SchemaError, match="herald migrate"):
                prepare_schema(url, engine, migrate=False)  # nothing migrated it yet
            prepare_schema(url, engine, migrate=True)
            prepare_schema(url, engine, migrate=False)  # now the check passes
        finally:
            engine.dispose()


@pytest.mark.parametrize("backend", backends())
def test_a_newer_releases_schema_is_refused_with_the_childs_reason(
    backend: str, tmp_path: Path
) -> None:
    with fresh_database_url(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            prepare_schema(url, engine, migrate=True)
            with engine.begin() as connection:
                connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
            with pytest.raises(SchemaError, match="'0099', which this release does not know"):
                prepare_schema(url, engine, migrate=True)
        finally:
            engine.dispose()


def test_a_database_that_cannot_be_reached_is_no_schema_verdict() -> None:
    url = "postgresql+psycopg://herald@127.0.0.1:1/herald"  # nothing listens on port 1
    engine = make_engine(url)
    try:
        with pytest.raises(RuntimeError, match="checking the database schema failed") as raised:
            prepare_schema(url, engine, migrate=False)
        assert not isinstance(raised.value, SchemaError)
    finally:
        engine.dispose()


def test_an_in_memory_database_is_checked_in_this_process() -> None:
    url = "sqlite://"
    engine = make_engine(url)
    try:
        with pytest.raises(SchemaError, match="herald migrate"):
            prepare_schema(url, engine, migrate=False)
    finally:
        engine.dispose()


def test_the_worker_and_the_http_service_never_import_alembic() -> None:
    script = "import sys, worker, api.app; sys.exit('alembic' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", script], cwd=PROJECT).returncode == 0
