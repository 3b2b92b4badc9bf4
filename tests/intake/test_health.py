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
    shop = ("shopify", "shop-1")
    [health] = source_health({shop: seen(1, events)}, {shop: refused}, NOW)
    assert health.status == status


def test_silent_after_a_whole_quiet_window_or_ten_usual_gaps() -> None:
    usual_gap = WINDOW / 6  # six events in the hour: one every ten minutes
    at_the_edge = (10 * usual_gap).total_seconds() / 60
    reports = source_health(
        {
            ("generic", "a"): seen(90, 0),  # sent before, nothing this hour
            ("shopify", "a"): seen(at_the_edge, 6),  # exactly ten gaps: not yet
            ("easypost", "a"): seen(at_the_edge + 1, 6),
            ("returns", "a"): seen(30, 2),  # too few to know its habit
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


def test_the_store_counts_each_accounts_events_backlog_lag_and_refusals(store: Store) -> None:
    for n, (source, account) in enumerate([("generic", "a"), ("generic", "a"), ("shopify", "a")]):
        record = IntakeRecord(source, account, f"k{n}", "order-1", f"e{n}", b"{}")
        store.intake_inbox.add(record, NOW - timedelta(minutes=90 * n))
    store.intake_inbox.add(IntakeRecord("generic", "b", "k3", "order-2", "e3", b"{}"), NOW)
    store.intake_inbox.dispatched([1], NOW)
    store.dead_letters.keep("shopify", "a", "no contact", b"x", 50, NOW)
    activity = store.intake_inbox.activity(NOW - WINDOW)
    ninety_ago = NOW - timedelta(minutes=90)
    assert activity[("generic", "a")] == SourceActivity(NOW, 1, 1, ninety_ago)
    assert activity[("generic", "b")] == SourceActivity(NOW, 1, 1, NOW)
    assert activity[("shopify", "a")].events_since == 0 and activity[("shopify", "a")].waiting == 1
    assert store.dead_letters.seen_since(NOW - WINDOW) == {("shopify", "a"): 1}
    assert isinstance(store.dead_letters, DeadLetters)


def test_the_windows_rows_alone_count_the_window_exactly(store: Store) -> None:
    """recent_only reads the pending rows and those dispatched since the window opened:
    the same counts as the whole table for every source that sent in the window."""
    times = [NOW - timedelta(minutes=m) for m in (200, 61, 59, 30, 1)]
    for n, at in enumerate(times):
        store.intake_inbox.add(IntakeRecord("generic", "a", f"k{n}", f"o{n}", f"e{n}", b"{}"), at)
    store.intake_inbox.add(IntakeRecord("shopify", "old", "k9", "o9", "e9", b"{}"), times[0])
    store.intake_inbox.dispatched([1, 6], times[0])  # long done
    store.intake_inbox.dispatched([2, 3], NOW - timedelta(minutes=58))  # done in the window
    whole = store.intake_inbox.activity(NOW - WINDOW)
    recent = store.intake_inbox.activity(NOW - WINDOW, recent_only=True)
    assert recent[("generic", "a")] == whole[("generic", "a")]
    assert recent[("generic", "a")].events_since == 3
    assert ("shopify", "old") in whole and ("shopify", "old") not in recent
