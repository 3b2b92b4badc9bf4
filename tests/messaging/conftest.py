"""Fresh template caches and default messaging settings for every test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

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


MerchantFile = Callable[[str, str], Path]


@pytest.fixture
def merchant_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MerchantFile:
    """Write ``<merchants>/<relative path>``; the merchants directory is set in settings."""
    monkeypatch.setenv("HERALD_MERCHANT_TEMPLATES_DIR", str(tmp_path))
    get_messaging_settings.cache_clear()

    def write(relative: str, text: str) -> Path:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        clear_template_caches()
        return path

    return write
