"""Fresh template caches and default messaging settings for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from config.messaging import get_messaging_settings
from messaging.templates import clear_template_caches


@pytest.fixture(autouse=True)
def fresh_messaging_caches() -> Iterator[None]:
    get_messaging_settings.cache_clear()
    clear_template_caches()
    yield
    get_messaging_settings.cache_clear()
    clear_template_caches()
