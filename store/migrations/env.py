"""Alembic environment: the URL given by code, else HERALD_DATABASE_URL's."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

import store.intake_tables  # noqa: F401 - its tables join Base.metadata
from config.settings import get_settings
from store.database import make_engine
from store.migrate import migration_lock
from store.tables import Base

config = context.config
if config.config_file_name is not None and not config.get_main_option("sqlalchemy.url"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

url = config.get_main_option("sqlalchemy.url") or get_settings().effective_database_url


def run_migrations() -> None:
    engine = make_engine(url)
    # One migrator at a time, however many processes start together (store/migrate.py):
    # the others wait, then find the schema current and do nothing.
    with migration_lock(engine), engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
