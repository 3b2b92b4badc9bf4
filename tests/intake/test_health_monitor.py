"""The intake's health for /health and the metrics: per source and account, a source quiet
since before the process started still known as silent, dead letters by priority band, the
write path counted, and /health 200 whatever a source does (only the database and Temporal
make it 503)."""

from __future__ import annotations

import io
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from intake.handoff import keep_events, keep_refusal
from intake.health_monitor import IntakeHealthMonitor, priority_band
from intake.source import PRIORITY_CRITICAL, PRIORITY_LOW, PRIORITY_NORMAL, IntakeRefused
from observability.metrics import REGISTRY, exposition
from store.intake_inbox import IntakeRecord
from store.migrate import upgrade
from store.repository import Store
from tests.api.test_status_callbacks import RecordingClient
from tests.helpers.events import order_event
from tests.helpers.temporal import settings_for_tests

NOW = datetime.now(UTC)


def arrive(store: Store, source: str, account: str, n: int, at: datetime) -> int:
    key = f"{source}:{account}:{n}"
    assert store.intake_inbox.add(IntakeRecord(source, account, key, f"o{n}", key, b"{}"), at)
    [row] = [p for p in store.intake_inbox.due(at + timedelta(days=1), 1000) if p.event_id == key]
    return row.id


def sample(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


def busy_store(store: Store) -> None:
    """shop-a sent three hours ago (done); generic/a five events in the last hour, waiting;
    generic/a's open dead letters: one critical, one low; a discarded one not counted."""
    store.intake_inbox.dispatched(
        [arrive(store, "shopify", "shop-a", 0, NOW - timedelta(hours=3))], NOW - timedelta(hours=3)
    )
    for n in range(1, 6):
        arrive(store, "generic", "a", n, NOW - timedelta(minutes=10 * n))
    store.dead_letters.keep("generic", "a", "no phone", b"1", PRIORITY_CRITICAL, NOW)
    store.dead_letters.keep("generic", "a", "not JSON", b"2", PRIORITY_LOW, NOW)
    closed = store.dead_letters.keep("generic", "a", "no phone", b"3", PRIORITY_CRITICAL, NOW)
    store.dead_letters.discard(closed, NOW)


def test_priority_bands_at_their_edges() -> None:
    assert [priority_band(p) for p in (PRIORITY_CRITICAL, PRIORITY_CRITICAL - 1)] == [
        "critical",
        "normal",
    ]
    assert [priority_band(p) for p in (PRIORITY_NORMAL, PRIORITY_NORMAL - 1)] == ["normal", "low"]


def test_a_source_quiet_since_before_the_start_is_silent_and_stays_known(store: Store) -> None:
    busy_store(store)
    monitor = IntakeHealthMonitor(store)
    first = monitor.refresh(NOW)  # the whole inbox, once
    later = monitor.refresh(NOW + timedelta(seconds=15))  # the window's rows only
    for snapshot in (first, later):
        by_key = {(s.source, s.account): s for s in snapshot.sources}
        assert by_key[("shopify", "shop-a")].status == "silent"
        generic = by_key[("generic", "a")]
        # Three refused this hour (the discarded one too) of eight payloads: failing.
        assert (generic.status, generic.waiting, generic.events_last_hour) == ("failing", 5, 5)
        assert generic.refused_last_hour == 3 and generic.error_rate == 3 / 8
    assert later.open_letters == {("generic", "a", "critical"): 1, ("generic", "a", "low"): 1}
    assert later.summary()["sources"] == {
        "generic": {"accounts": 1, "silent": 0, "failing": 1, "waiting": 5},
        "shopify": {"accounts": 1, "silent": 1, "failing": 0, "waiting": 0},
    }
    assert later.summary()["status"] == "degraded" and later.summary()["open_dead_letters"] == 2


def test_the_gauges_show_the_latest_snapshot_with_ages_at_scrape_time(store: Store) -> None:
    busy_store(store)
    IntakeHealthMonitor(store).refresh(NOW)
    shop = {"source": "shopify", "account": "shop-a"}
    generic = {"source": "generic", "account": "a"}
    assert sample("herald_intake_silent", **shop) == 1
    assert sample("herald_intake_silent", **generic) == 0
    assert sample("herald_intake_failing", **generic) == 1
    assert sample("herald_intake_waiting", **generic) == 5
    assert sample("herald_intake_oldest_waiting_seconds", **shop) == 0
    # Ages at scrape time: from the rows' times (relative to NOW, when this module was
    # imported, minutes ago in a long run) to the clock now.
    since_now = (datetime.now(UTC) - NOW).total_seconds()
    lag = sample("herald_intake_oldest_waiting_seconds", **generic)
    assert lag is not None and 50 * 60 <= lag - since_now < 50 * 60 + 5  # 50 minutes ago
    age = sample("herald_intake_last_event_age_seconds", **shop)
    assert age is not None and 3 * 3600 <= age - since_now < 3 * 3600 + 5
    assert sample("herald_intake_error_ratio", **generic) == 3 / 8
    assert sample("herald_intake_error_ratio", **shop) is None  # nothing came: no ratio
    assert sample("herald_intake_dead_letters_open", band="critical", **generic) == 1
    assert sample("herald_intake_dead_letters_open", band="normal", **generic) is None
    assert b"herald_intake_health_age_seconds" in exposition()


def test_the_write_path_counts_accepted_duplicates_and_refused(store: Store) -> None:
    labels = {"source": "generic", "account": "counted"}

    def count(outcome: str) -> float:
        return sample("herald_intake_events_total", outcome=outcome, **labels) or 0.0

    before = {o: count(o) for o in ("accepted", "duplicate", "refused")}
    events = [order_event("shipped", "M1"), order_event("delayed", "M1")]
    keep_events(store, "generic", "counted", "d1", events, NOW)
    keep_events(store, "generic", "counted", "d1", events[:1], NOW)  # a redelivery
    keep_refusal(store, "generic", "counted", IntakeRefused("no contact"), b"x", NOW)
    after = {o: count(o) - before[o] for o in before}
    assert after == {"accepted": 2, "duplicate": 1, "refused": 1}


class HealthyClient(RecordingClient):
    class service_client:
        @staticmethod
        async def check_health() -> bool:
            return True


def test_health_shows_a_silent_source_and_still_answers_200(tmp_path: Path) -> None:
    settings = settings_for_tests(data_dir=tmp_path, api_tokens="t")
    upgrade(settings.effective_database_url)
    app = create_app(settings, client=HealthyClient())  # type: ignore[arg-type]
    busy_store(app.state.store)
    with TestClient(app) as http:
        deadline = time.monotonic() + 10
        body = http.get("/health").json()
        while body["intake"]["status"] == "unknown" and time.monotonic() < deadline:
            time.sleep(0.1)  # the lifespan's first refresh, in a thread
            body = http.get("/health").json()
        answer = http.get("/health")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["status"], body["database"], body["temporal"]) == ("ok", "ok", "ok")
    assert body["intake"]["status"] == "degraded"
    assert body["intake"]["sources"]["shopify"]["silent"] == 1
    assert "shop-a" not in answer.text  # account names only behind the credential


def test_herald_intake_status_names_each_account_and_its_lag(store: Store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from cli import intake as cli
    from cli.main import build_parser
    from tests.intake.test_cli_intake import Unclosed

    monkeypatch.setattr(cli, "_store", lambda: Unclosed(store))
    arrive(store, "generic", "a", 1, datetime.now(UTC) - timedelta(minutes=5))
    args = build_parser().parse_args(["intake", "status"])
    out = io.StringIO()
    assert args.handler(args, out) == 0
    line = out.getvalue().splitlines()[1]
    assert line.startswith("  generic/a: ok, last event ")
    assert re.search(r"last hour 1 in / 0 refused, 1 waiting \(the oldest 30\d s\)$", line)


async def test_the_dispatcher_counts_what_it_signalled_and_what_failed(store: Store) -> None:
    from intake.dispatcher import Dispatcher
    from tests.intake.test_dispatcher import inbox

    def count(outcome: str) -> float:
        labels = {"source": "generic", "account": "default", "outcome": outcome}
        return sample("herald_intake_dispatches_total", **labels) or 0.0

    before = count("signalled"), count("failed")
    inbox(store, "S1", "S2")

    async def only_s1(event: object) -> None:
        if "S2" in str(getattr(event, "reference", "")):
            raise RuntimeError("Temporal away")

    assert await Dispatcher(store, only_s1, rate=1000).run_once() == 2
    assert (count("signalled") - before[0], count("failed") - before[1]) == (1, 1)
