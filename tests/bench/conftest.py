# The store fixture (SQLite, and PostgreSQL when HERALD_TEST_POSTGRES_URL is set).
from tests.store.conftest import store  # noqa: F401
