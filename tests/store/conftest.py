from collections.abc import Iterator
from pathlib import Path

import pytest

from privacy.sealed import Sealer
from store.migrate import upgrade
from store.repository import Store
from tests.helpers.databases import backends, fresh_database_url

# The intake's sealed columns, under a fixed key: store tests do not read settings.
STORE_SEALER = Sealer({"store-test": bytes(range(32))}, "store-test")


@pytest.fixture(params=backends())
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with fresh_database_url(request.param, tmp_path) as url:
        upgrade(url)
        connected = Store.connect(url, sealer=STORE_SEALER)
        try:
            yield connected
        finally:
            connected.close()
