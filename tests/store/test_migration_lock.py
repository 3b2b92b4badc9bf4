"""Migrations run once under a lock; a process refuses a schema it does not know."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from store.database import make_engine
from store.migrate import SchemaError, alembic_config, require_current_schema, upgrade
from tests.helpers.databases import backends, fresh_database_url

PROJECT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("backend", backends())
def test_processes_starting_together_migrate_once_and_all_start(
    backend: str, tmp_path: Path
) -> None:
    with fresh_database_url(backend, tmp_path) as url:
        script = "import sys; from store.migrate import upgrade; upgrade(sys.argv[1])"
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", script, url], cwd=PROJECT, stderr=subprocess.PIPE
            )
            for _ in range(4)
        ]
        errors = [p.communicate(timeout=120)[1].decode() for p in processes]

        assert [p.returncode for p in processes] == [0] * 4, errors
        engine = make_engine(url)
        try:
            require_current_schema(url, engine)
        finally:
            engine.dispose()


@pytest.mark.parametrize("backend", backends())
def test_a_schema_from_a_newer_release_is_refused(backend: str, tmp_path: Path) -> None:
    with fresh_database_url(backend, tmp_path) as url:
        upgrade(url)
        engine = make_engine(url)
        try:
            with engine.begin() as connection:
                connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
            with pytest.raises(SchemaError, match="does not know"):
                require_current_schema(url, engine)
        finally:
            engine.dispose()


@pytest.mark.parametrize("backend", backends())
def test_a_schema_not_migrated_yet_is_refused(backend: str, tmp_path: Path) -> None:
    with fresh_database_url(backend, tmp_path) as url:
        upgrade(url)
        command.downgrade(alembic_config(url), "0005")
        engine = make_engine(url)
        try:
            with pytest.raises(SchemaError, match="herald migrate"):
                require_current_schema(url, engine)
        finally:
            engine.dispose()
