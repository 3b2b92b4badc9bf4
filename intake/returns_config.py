"""The returns watchers from configuration: each ``[[returns]]`` table of
config/intake.toml, its database URL (a setting: it holds credentials), and the mapping a
replayed dead letter of that table is read with."""

from __future__ import annotations

import json
import logging
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from config.settings import Settings
from intake.accounts import validation_rules
from intake.returns_watcher import ReturnsWatcher
from intake.source import IntakeRefused, Mapped
from intake.sources.returns_table import SOURCE, ReturnsTable, map_return_row
from intake.validation import DEFAULT_RULES, Rules
from store.repository import Store

log = logging.getLogger(__name__)


def returns_tables(path: Path) -> dict[str, ReturnsTable]:
    """Watched tables by name; none when the file does not exist."""
    if not path.exists():
        return {}
    tables = [
        ReturnsTable.model_validate(t) for t in tomllib.loads(path.read_text()).get("returns", [])
    ]
    return {table.name: table for table in tables}


def returns_database_urls(settings: Settings) -> dict[str, str]:
    """``name=url`` pairs separated by white space (a URL never holds any unencoded)."""
    urls: dict[str, str] = {}
    for item in settings.returns_database_urls.get_secret_value().split():
        name, sep, url = item.partition("=")
        if not sep or not name or not url:
            raise ValueError("returns database URLs are written 'name=postgresql+psycopg://...'")
        urls[name] = url
    return urls


def returns_mapping(
    account: str, settings: Settings, rules: Rules = DEFAULT_RULES
) -> Callable[[Any], Mapped]:
    """How a dead letter of table ``account`` is read again: with the table's configuration
    and ``rules`` as they are now (after the fix the replay follows)."""
    table = returns_tables(settings.intake_config_path).get(account)

    def mapping(body: Any) -> Mapped:
        if table is None:
            raise IntakeRefused(f"no returns table {account!r} in {settings.intake_config_path}")
        row = body.get("row") if isinstance(body, Mapping) else None
        if not isinstance(row, Mapping):
            raise IntakeRefused(f"not a returns row: {json.dumps(body)[:80]}")
        return map_return_row(row, table, rules)

    return mapping


def build_watchers(
    settings: Settings, store: Store, on_events: Callable[[], None]
) -> list[ReturnsWatcher]:
    """A watcher per configured table that has a database URL. A table without one, or
    with a URL that cannot be used, is logged and left unwatched: the service runs."""
    urls = returns_database_urls(settings)
    rule_book = validation_rules(settings.intake_config_path)
    watchers = []
    for name, table in returns_tables(settings.intake_config_path).items():
        url = urls.get(name)
        if url is None:
            log.warning(
                "returns table %s not watched: no URL in HERALD_RETURNS_DATABASE_URLS", name
            )
            continue
        try:
            rules = rule_book.rules_for(SOURCE, name)
            watchers.append(ReturnsWatcher(store, table, url, on_events=on_events, rules=rules))
        except Exception as error:  # a malformed URL, a driver not installed
            log.error("returns table %s not watched: %s", name, error)
    return watchers
