"""Each source's health: failing at a fifth refused of at least five, silent after a whole
quiet window or ten usual gaps, worst first; and the store's counts it reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from intake.health import WINDOW, source_health
from store.dead_letters import DeadLetters
from store.intake_inbox import IntakeRecord, SourceActivity
from store.repository import Store

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def seen(minutes_ago: float | None, events: int, waiting: int = 0) -> SourceActivity:
    last = NOW - timedelta(minutes=minutes_ago) if minutes_ago is not None else None
    return SourceActivity(last, events, waiting)


@pytest.mark.parametrize(
    ("events", "refused", "status"),
    [(4, 1, "failing"), (3, 1, "ok"), (5, 1, "ok"), (0, 5, "failing")],
)
def test_failing_at_a_fifth_refused_of_at_least_five(
    events: int, refused: int, status: str
) -> None:
    [health] = source_health({"shopify": seen(1, events)}, {"shopify": refused}, NOW)
    assert health.status == status


def test_silent_after_a_whole_quiet_window_or_ten_usual_gaps() -> None:
    usual_gap = WINDOW / 6  # six events in the hour: one every ten minutes
    at_the_edge = (10 * usual_gap).total_seconds() / 60
    reports = source_health(
        {
            "generic": seen(90, 0),  # sent before, nothing this hour
            "shopify": seen(at_the_edge, 6),  # exactly ten gaps: not yet
            "easypost": seen(at_the_edge + 1, 6),
            "returns": seen(30, 2),  # too few to know its habit
        },
        {},
        NOW,
    )
    assert {r.source: r.status for r in reports} == {
        "easypost": "silent",
        "generic": "silent",
        "returns": "ok",
        "shopify": "ok",
    }
    assert [r.status for r in reports][:2] == ["silent", "silent"]  # worst first


def test_the_store_counts_each_sources_events_backlog_and_refusals(store: Store) -> None:
    for n, source in enumerate(["generic", "generic", "shopify"]):
        record = IntakeRecord(source, "a", f"k{n}", "order-1", f"e{n}", b"{}")
        store.intake_inbox.add(record, NOW - timedelta(minutes=90 * n))
    store.intake_inbox.dispatched([1], NOW)
    store.dead_letters.keep("shopify", "a", "no contact", b"x", 50, NOW)
    activity = store.intake_inbox.by_source(NOW - WINDOW)
    assert activity["generic"] == SourceActivity(NOW, 1, 1)
    assert activity["shopify"].events_since == 0 and activity["shopify"].waiting == 1
    assert store.dead_letters.seen_since(NOW - WINDOW) == {"shopify": 1}
    assert isinstance(store.dead_letters, DeadLetters)
