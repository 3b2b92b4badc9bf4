"""The returns watchers from configuration (tables in config/intake.toml, URLs in a
setting), their health in the intake's status, and a returns dead letter replayed after
the configuration is fixed."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from cli import intake as intake_cli
from cli.main import build_parser
from config.settings import Settings
from intake.health import status_report
from intake.replay import replay
from intake.returns_config import build_watchers, returns_database_urls, returns_tables
from intake.watcher_health import LAGGING_AFTER, watcher_health
from store.intake_cursors import CursorState, Position
from store.repository import Store
from tests.helpers.temporal import settings_for_tests
from tests.intake.test_cli_intake import Unclosed

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
ACME = """
[[returns]]
name = "acme"
merchant = "acme"
columns = {{ reference = "rma" }}
statuses = {{ refunded = "refund_processed" }}
quiet_statuses = [{quiet}]

[[returns]]
name = "unwatched"
merchant = "acme"
"""


def configured(tmp_path: Path, urls: str = "", quiet: str = "") -> Settings:
    path = tmp_path / "intake.toml"
    path.write_text(ACME.format(quiet=quiet))
    return settings_for_tests(
        intake_config_path=path, returns_database_urls=SecretStr(urls), data_dir=tmp_path
    )


def test_the_repository_configuration_loads_and_its_demo_table_is_valid() -> None:
    tables = returns_tables(Settings().intake_config_path)
    assert tables["herald-demo"].columns.reference == "rma"


def test_urls_are_name_equals_url_pairs_and_a_url_may_hold_an_equals_sign(
    tmp_path: Path,
) -> None:
    settings = configured(
        tmp_path, "acme=postgresql+psycopg://u:p@db/shop?options=-csearch_path%3Dr  b=sqlite:///x"
    )
    assert returns_database_urls(settings) == {
        "acme": "postgresql+psycopg://u:p@db/shop?options=-csearch_path%3Dr",
        "b": "sqlite:///x",
    }
    with pytest.raises(ValueError, match="name=postgresql"):
        returns_database_urls(configured(tmp_path, "sqlite:///no-name"))


def test_only_tables_with_a_url_are_watched(tmp_path: Path, store: Store) -> None:
    settings = configured(tmp_path, f"acme=sqlite:///{tmp_path / 'r.sqlite3'}")
    assert [w.name for w in build_watchers(settings, store, lambda: None)] == ["acme"]
    broken = configured(tmp_path, "acme=nosuchdriver://x")
    assert build_watchers(broken, store, lambda: None) == []  # logged, the service runs


def cursor(**changes: object) -> CursorState:
    values: dict[str, object] = {
        "source": "returns",
        "account": "acme",
        "position": Position(NOW - timedelta(minutes=3), "7"),
        "holder": "host:1:ab",
        "lease_until": NOW + timedelta(seconds=30),
        "caught_up_at": NOW,
        "rows_read": 12,
        "failures": 0,
        "last_error": None,
        "last_error_at": None,
        "updated_at": NOW,
    }
    return CursorState(**{**values, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"caught_up_at": NOW - LAGGING_AFTER}, "ok"),  # exactly the limit
        ({"caught_up_at": NOW - LAGGING_AFTER - timedelta(microseconds=1)}, "lagging"),
        ({"caught_up_at": None}, "lagging"),  # never read to the end
        ({"failures": 1, "last_error": "OperationalError: gone", "last_error_at": NOW}, "failing"),
    ],
)
def test_a_watchers_health_from_its_cursor(changes: dict[str, object], status: str) -> None:
    health = watcher_health(cursor(**changes), NOW)
    assert health["status"] == status


def test_the_intake_status_shows_each_watcher(store: Store) -> None:
    store.intake_cursors.failed("returns", "acme", "ReturnsTableError: no table", NOW)
    [watcher] = status_report(store, NOW)["watchers"]  # type: ignore[misc]
    assert watcher["status"] == "failing" and watcher["lag_seconds"] is None
    assert watcher["last_error"] == "ReturnsTableError: no table"


def test_a_returns_dead_letter_replays_once_its_status_is_configured(
    tmp_path: Path, store: Store
) -> None:
    row = {
        "id": 3,
        "rma": "RMA-3",
        "status": "refund_sent",  # a status the retailer added, Herald not yet
        "updated_at": NOW.isoformat(),
        "customer_phone": "+14155550123",
    }
    body = json.dumps({"table": "acme", "row": row}, sort_keys=True).encode()
    letter = store.dead_letters.keep("returns", "acme", "unmapped", body, 10, NOW)

    still = replay(store, letter, NOW, configured(tmp_path))
    assert still.accepted == 0 and "'refund_sent' is neither mapped nor quiet" in str(still.refused)

    fixed = configured(tmp_path)
    fixed.intake_config_path.write_text(
        ACME.format(quiet="").replace("refunded =", "refund_sent =")
    )
    assert replay(store, letter, NOW, fixed).accepted == 1
    [event] = store.intake_inbox.due(NOW, 10)
    assert event.event_id == "RMA-3:refund_processed"
    assert not store.dead_letters.list(10)  # replayed: closed


def test_a_letter_of_a_table_no_longer_configured_stays_a_dead_letter(
    tmp_path: Path, store: Store
) -> None:
    body = json.dumps({"table": "gone", "row": {}}).encode()
    letter = store.dead_letters.keep("returns", "gone", "unmapped", body, 10, NOW)
    outcome = replay(store, letter, NOW, configured(tmp_path))
    assert outcome.refused is not None and "no returns table 'gone'" in outcome.refused


def test_herald_intake_status_prints_each_watcher(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(intake_cli, "_store", lambda: Unclosed(store))
    now = datetime.now(UTC)
    store.intake_cursors.failed("returns", "acme", "OperationalError: connection refused", now)
    args = build_parser().parse_args(["intake", "status"])
    out = io.StringIO()
    assert args.handler(args, out) == 0
    assert (
        "  returns table acme: failing, read to the end never, "
        "last error: OperationalError: connection refused\n"
    ) in out.getvalue()
