from collections.abc import Iterator
from pathlib import Path

import pytest

from store.migrate import upgrade
from store.repository import Store
from tests.helpers.databases import backends, fresh_database_url


@pytest.fixture(params=backends())
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A migrated store on SQLite, and on PostgreSQL when HERALD_TEST_POSTGRES_URL is set."""
    with fresh_database_url(request.param, tmp_path) as url:
        upgrade(url)
        connected = Store.connect(url)
        try:
            yield connected
        finally:
            connected.close()
