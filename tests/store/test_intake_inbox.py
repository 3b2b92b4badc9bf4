"""The intake's inbox: a redelivery is one row, a dispatcher leases what it signals, a
failure comes back at its retry time, and the events rest sealed."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from privacy.sealed import Sealer
from store.intake_inbox import INBOX, IntakeInbox, IntakeRecord
from store.repository import Store
from tests.store.conftest import STORE_SEALER

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
LEASE = 30.0


def record(n: int, *, dedupe_key: str | None = None) -> IntakeRecord:
    return IntakeRecord(
        source="shopify",
        account="shop-1",
        dedupe_key=dedupe_key or f"webhook-{n}",
        workflow_id=f"order-{n}",
        event_id=f"event-{n}",
        event_json=b'{"order": %d, "phone": "+14155550123"}' % n,
    )


def fill(store: Store, count: int) -> None:
    for n in range(count):
        assert store.intake_inbox.add(record(n), NOW + timedelta(seconds=n))


def test_a_redelivered_event_is_one_row(store: Store) -> None:
    assert store.intake_inbox.add(record(1), NOW)
    again = record(1, dedupe_key="webhook-1")
    changed = IntakeRecord(**{**again.__dict__, "event_json": b"{}"})
    assert not store.intake_inbox.add(changed, NOW + timedelta(seconds=5))
    [pending] = store.intake_inbox.due(NOW, 10)
    assert pending.event_json == record(1).event_json and pending.received_at == NOW
    assert store.intake_inbox.backlog() == 1


def test_one_orders_event_from_another_source_is_a_duplicate_even_once_dispatched(
    store: Store,
) -> None:
    """Shopify's and a tracker's report of one delivery: one row, whenever the second comes
    (its order's workflow may have closed, and would start again for it)."""
    first = record(2)
    assert store.intake_inbox.add(first, NOW)
    [row] = store.intake_inbox.due(NOW, 10)
    store.intake_inbox.dispatched([row.id], NOW)
    from_a_tracker = IntakeRecord(
        **{**first.__dict__, "source": "easypost", "dedupe_key": "easypost:evt_1"}
    )
    assert not store.intake_inbox.add(from_a_tracker, NOW + timedelta(days=6))
    another_order = IntakeRecord(**{**from_a_tracker.__dict__, "workflow_id": "order-3"})
    another_event = IntakeRecord(
        **{**from_a_tracker.__dict__, "dedupe_key": "easypost:evt_2", "event_id": "event-9"}
    )
    assert store.intake_inbox.add(another_order, NOW + timedelta(days=6))
    assert store.intake_inbox.add(another_event, NOW + timedelta(days=6))


def test_due_rows_come_oldest_first_opened_and_rest_sealed(store: Store) -> None:
    fill(store, 3)
    pending = store.intake_inbox.due(NOW, 2)
    assert [p.workflow_id for p in pending] == ["order-0", "order-1"]
    assert pending[0].event_json == record(0).event_json and pending[0].attempts == 0
    with store.engine.connect() as connection:
        stored = connection.execute(select(INBOX.c.event)).scalars().all()
    assert stored and all(b"+14155550123" not in blob for blob in stored)


def test_two_claimers_get_disjoint_rows(store: Store) -> None:
    fill(store, 5)
    first = store.intake_inbox.claim_due(NOW, 3, LEASE)
    second = store.intake_inbox.claim_due(NOW, 3, LEASE)
    assert [p.workflow_id for p in first] == ["order-0", "order-1", "order-2"]
    assert [p.workflow_id for p in second] == ["order-3", "order-4"]
    assert store.intake_inbox.claim_due(NOW, 3, LEASE) == []
    assert store.intake_inbox.due(NOW, 10) == []  # leased rows are not due either
    assert store.intake_inbox.backlog() == 5  # but still pending


def test_claimers_racing_never_take_a_row_twice(store: Store) -> None:
    fill(store, 24)
    taken: list[int] = []
    start = threading.Barrier(4)

    def claim() -> None:
        start.wait()
        while batch := store.intake_inbox.claim_due(NOW, 3, LEASE):
            taken.extend(p.id for p in batch)

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(taken) == 24 and len(set(taken)) == 24


def test_a_lease_that_runs_out_makes_the_row_due_again(store: Store) -> None:
    fill(store, 1)
    [claimed] = store.intake_inbox.claim_due(NOW, 10, LEASE)
    expiry = NOW + timedelta(seconds=LEASE)
    assert store.intake_inbox.claim_due(expiry - timedelta(microseconds=1), 10, LEASE) == []
    [again] = store.intake_inbox.claim_due(expiry, 10, LEASE)  # the dispatcher died
    assert again.id == claimed.id and again.attempts == 0


def test_a_failed_row_is_due_again_at_its_retry_time_exactly(store: Store) -> None:
    fill(store, 1)
    [claimed] = store.intake_inbox.claim_due(NOW, 10, LEASE)
    retry_at = NOW + timedelta(seconds=5)  # sooner than the lease: the retry time wins
    store.intake_inbox.failed(claimed.id, "temporal unavailable", retry_at)
    assert store.intake_inbox.due(retry_at - timedelta(microseconds=1), 10) == []
    [due] = store.intake_inbox.due(retry_at, 10)
    assert due.attempts == 1 and due.last_error == "temporal unavailable"
    store.intake_inbox.failed(claimed.id, "again", retry_at)
    assert store.intake_inbox.due(retry_at, 10)[0].attempts == 2


def test_dispatched_rows_leave_the_backlog(store: Store) -> None:
    assert store.intake_inbox.backlog() == 0
    assert store.intake_inbox.oldest_pending_age(NOW) is None
    fill(store, 3)
    later = NOW + timedelta(minutes=1)
    assert store.intake_inbox.oldest_pending_age(later) == 60.0
    claimed = store.intake_inbox.claim_due(later, 2, LEASE)
    store.intake_inbox.dispatched([p.id for p in claimed], later)
    store.intake_inbox.dispatched([], later)
    assert store.intake_inbox.backlog() == 1
    assert store.intake_inbox.oldest_pending_age(later) == 58.0  # order-2 came at +2 s
    store.intake_inbox.failed(claimed[0].id, "late failure report", NOW)  # dispatched: kept
    assert [p.workflow_id for p in store.intake_inbox.due(later, 10)] == ["order-2"]


def test_a_row_sealed_with_an_older_key_still_opens_after_rotation(store: Store) -> None:
    fill(store, 1)
    rotated = Sealer({"newer": b"n" * 32, "store-test": bytes(range(32))}, "newer")
    inbox = IntakeInbox(store.engine, rotated)
    inbox.add(record(7), NOW)
    events = [p.event_json for p in inbox.due(NOW + timedelta(seconds=1), 10)]
    assert events == [record(0).event_json, record(7).event_json]
    assert STORE_SEALER is not rotated


def test_the_backlog_limit_is_reached_at_exactly_the_limit(store: Store) -> None:
    for n in range(3):
        store.intake_inbox.add(record(n), NOW)
    assert store.intake_inbox.backlog_reaches(3)
    assert not store.intake_inbox.backlog_reaches(4)
