from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from store.repository import Store
from store.timeline import TimelineRecord


def test_slots_are_spaced_one_interval_apart_and_never_in_the_past(store: Store) -> None:
    slots = [store.sender_limiter.reserve("+15005550006", 2.0, now=1000.0) for _ in range(4)]
    later = store.sender_limiter.reserve("+15005550006", 2.0, now=2000.0)

    assert slots == [1000.0, 1000.5, 1001.0, 1001.5]
    assert later == 2000.0  # an idle sender does not bank slots


def test_each_sender_has_its_own_line(store: Store) -> None:
    assert store.sender_limiter.reserve("short-code", 100.0, now=50.0) == 50.0
    assert store.sender_limiter.reserve("long-code", 1.0, now=50.0) == 50.0


def test_concurrent_reservations_never_share_a_slot(store: Store) -> None:
    def reserve(_: int) -> float:
        return store.sender_limiter.reserve("+15005550006", 1.0, now=0.0)

    with ThreadPoolExecutor(max_workers=8) as pool:
        slots = sorted(pool.map(reserve, range(40)))

    assert slots == [float(i) for i in range(40)]


def test_timeline_entries_are_written_once(store: Store) -> None:
    record = TimelineRecord(
        entry_key="order-1:e1:duplicate_ignored",
        workflow_id="order-1",
        at=datetime(2026, 3, 14, tzinfo=UTC),
        kind="duplicate_ignored",
        milestone="shipped",
        event_id="e1",
        detail="event e1 seen before",
    )

    assert store.timeline.add(record)
    assert not store.timeline.add(record)
    assert store.timeline.entries("order-1") == [record]
