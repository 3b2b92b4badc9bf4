"""Migrations go up and down, and leave the schema the models describe."""

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

import store.intake_tables  # noqa: F401 - its tables join Base.metadata
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


def columns(engine: Engine, table: str) -> set[str]:
    tables = set(inspect(engine).get_table_names())
    return {c["name"] for c in inspect(engine).get_columns(table)} if table in tables else set()


@pytest.mark.parametrize(
    ("revision", "table", "column"),
    [("0003", "messages", "locale"), ("0004", "reply_questions", "question")],
)
@pytest.mark.parametrize("backend", backends())
def test_each_two_way_migration_goes_down_alone(
    backend: str, tmp_path: Path, revision: str, table: str, column: str
) -> None:
    with fresh_database_url(backend, tmp_path) as url:
        upgrade(url)
        engine = make_engine(url)
        try:
            assert column in columns(engine, table)
            command.downgrade(alembic_config(url), f"{int(revision) - 1:04d}")
            assert column not in columns(engine, table)
        finally:
            engine.dispose()
