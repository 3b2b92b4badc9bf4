"""Migrations go up and down, and leave the schema the models describe."""

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from store.database import make_engine
from store.migrate import alembic_config, upgrade
from store.tables import Base
from tests.helpers.databases import backends, fresh_database_url

POLICY_TABLES = {
    "sms_consent",
    "sms_consent_events",
    "notification_preferences",
    "sender_send_slots",
    "sender_daily_counts",
    "sender_back_pressure",
}


@pytest.mark.parametrize("backend", backends())
def test_upgrade_downgrade_upgrade_matches_the_models(backend: str, tmp_path: Path) -> None:
    with fresh_database_url(backend, tmp_path) as url:
        upgrade(url)
        command.downgrade(alembic_config(url), "0001")
        engine = make_engine(url)
        try:
            assert not POLICY_TABLES & set(inspect(engine).get_table_names())
            upgrade(url)
            assert set(inspect(engine).get_table_names()) >= POLICY_TABLES
            with engine.connect() as connection:
                drift = compare_metadata(MigrationContext.configure(connection), Base.metadata)
            assert drift == []
        finally:
            engine.dispose()


@pytest.mark.parametrize("backend", backends())
def test_0003_adds_and_removes_the_message_locale(backend: str, tmp_path: Path) -> None:
    with fresh_database_url(backend, tmp_path) as url:
        upgrade(url)
        engine = make_engine(url)
        try:
            assert "locale" in {c["name"] for c in inspect(engine).get_columns("messages")}
            command.downgrade(alembic_config(url), "0002")
            assert "locale" not in {c["name"] for c in inspect(engine).get_columns("messages")}
        finally:
            engine.dispose()


@pytest.mark.parametrize("backend", backends())
def test_0004_adds_and_removes_the_reply_questions(backend: str, tmp_path: Path) -> None:
    with fresh_database_url(backend, tmp_path) as url:
        upgrade(url)
        engine = make_engine(url)
        try:
            assert "reply_questions" in inspect(engine).get_table_names()
            command.downgrade(alembic_config(url), "0003")
            assert "reply_questions" not in inspect(engine).get_table_names()
        finally:
            engine.dispose()
