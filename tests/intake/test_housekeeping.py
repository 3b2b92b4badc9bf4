"""Pruning: dispatched rows past the retention go (a row exactly at the edge stays), an
order's newest row stays longer for a later payload's customer, pending rows and open dead
letters never go, a redelivery inside the window is still one row, and the work is done in
batches that two replicas can run at once."""

from __future__ import annotations

import asyncio
import io
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from cli import intake as cli
from cli.errors import INVALID, CliError
from cli.main import build_parser
from config.settings import Settings
from intake.housekeeping import Housekeeping, Pruned, Retention, prune
from store.intake_inbox import INBOX, IntakeRecord
from store.repository import Store
from tests.intake.test_cli_intake import Unclosed

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
RETENTION = Retention(
    dispatched=timedelta(days=7), order_memory=timedelta(days=60), dead_letters=timedelta(days=30)
)
EDGE = NOW - RETENTION.dispatched
TICK = timedelta(microseconds=1)


def record(n: int, order: int | None = None) -> IntakeRecord:
    return IntakeRecord(
        source="shopify",
        account="shop-1",
        dedupe_key=f"shopify:shop-1:webhook-{n}",
        workflow_id=f"order-{n if order is None else order}",
        event_id=f"event-{n}",
        event_json=b'{"n": %d}' % n,
    )


def dispatched(store: Store, n: int, at: datetime, order: int | None = None) -> None:
    """Row ``n`` received a second before ``at`` and dispatched at ``at``."""
    assert store.intake_inbox.add(record(n, order), at - timedelta(seconds=1))
    due = store.intake_inbox.due(at + timedelta(days=999), 1000)
    store.intake_inbox.dispatched([p.id for p in due if p.event_id == f"event-{n}"], at)


def keys(store: Store) -> set[str]:
    """The dedupe keys still in the inbox."""
    with store.engine.connect() as connection:
        return set(connection.execute(select(INBOX.c.dedupe_key)).scalars())


def test_a_row_exactly_at_the_edge_stays_and_one_just_past_it_goes(store: Store) -> None:
    # Two rows of one order each superseded by a third, recent one: only age decides.
    dispatched(store, 1, EDGE, order=9)
    dispatched(store, 2, EDGE - TICK, order=9)
    dispatched(store, 3, NOW, order=9)
    pruned = prune(store, RETENTION, NOW)
    assert (pruned.inbox_rows, pruned.dead_letters, pruned.batches) == (1, 0, 3)
    assert not store.intake_inbox.add(record(1, 9), NOW)  # still deduplicated
    assert store.intake_inbox.add(record(2, 9), NOW)  # gone: the same delivery is new again


def test_a_redelivery_inside_the_window_is_still_one_row(store: Store) -> None:
    dispatched(store, 1, NOW - timedelta(days=3))  # Shopify's or AfterShip's retries: days
    prune(store, RETENTION, NOW)
    assert not store.intake_inbox.add(record(1), NOW)
    assert store.intake_inbox.backlog() == 0  # nothing new to signal


def test_pending_rows_never_go_however_old(store: Store) -> None:
    assert store.intake_inbox.add(record(1), NOW - timedelta(days=365))
    assert prune(store, RETENTION, NOW).inbox_rows == 0
    assert store.intake_inbox.backlog() == 1


def test_an_orders_newest_row_stays_until_the_order_memory_runs_out(store: Store) -> None:
    dispatched(store, 1, NOW - timedelta(days=20), order=1)  # superseded by row 2: goes
    dispatched(store, 2, NOW - timedelta(days=10), order=1)  # order 1's newest: stays
    memory_edge = NOW - RETENTION.order_memory
    dispatched(store, 3, memory_edge, order=3)  # exactly at the order memory's edge: stays
    dispatched(store, 4, memory_edge - TICK, order=4)  # past it: goes
    assert prune(store, RETENTION, NOW).inbox_rows == 2
    assert keys(store) == {record(2).dedupe_key, record(3).dedupe_key}
    # The customer lookup of a later fulfillment event still finds order 1's event.
    assert store.intake_inbox.latest_event("order-1") == record(2).event_json


def test_closed_dead_letters_go_after_their_retention_open_ones_never(store: Store) -> None:
    edge = NOW - RETENTION.dead_letters
    at_edge = store.dead_letters.keep("generic", "a", "r", b"1", 50, edge - timedelta(days=9))
    past = store.dead_letters.keep("generic", "a", "r", b"2", 50, edge - timedelta(days=9))
    open_ = store.dead_letters.keep("generic", "a", "r", b"3", 50, NOW - timedelta(days=400))
    assert store.dead_letters.discard(at_edge, edge)
    assert store.dead_letters.replayed(past, edge - TICK)
    assert prune(store, RETENTION, NOW).dead_letters == 1
    assert store.dead_letters.get(past) is None
    assert store.dead_letters.get(at_edge) is not None and store.dead_letters.get(open_)


@pytest.mark.parametrize(("rows", "batch", "batches"), [(5, 2, 3), (4, 2, 3), (1, 2, 1)])
def test_the_prune_goes_in_batches_until_one_comes_back_short(
    store: Store, rows: int, batch: int, batches: int
) -> None:
    for n in range(rows):
        dispatched(store, n, NOW - timedelta(days=70))
    pruned = prune(store, RETENTION, NOW, batch=batch)
    assert pruned.inbox_rows == rows
    assert pruned.batches == batches + 2  # and one (short) of superseded rows, of letters


def test_the_next_pass_starts_where_the_last_one_looked_and_misses_nothing_new(
    store: Store,
) -> None:
    dispatched(store, 1, NOW - timedelta(days=10), order=1)  # superseded, past: goes now
    dispatched(store, 2, NOW - timedelta(days=8), order=1)  # order 1's newest: kept
    dispatched(store, 3, NOW - timedelta(days=6), order=3)  # superseded, not yet past
    dispatched(store, 4, NOW - timedelta(days=5), order=3)
    first = prune(store, RETENTION, NOW)
    assert first.inbox_rows == 1 and first.examined_until == EDGE
    dispatched(store, 5, NOW, order=1)  # order 1 moves on: row 2 is superseded now
    later = NOW + timedelta(days=2)
    second = prune(store, RETENTION, later, examined_until=first.examined_until)
    assert second.inbox_rows == 1  # row 3, past the retention since
    # Row 2 was looked at while it was its order's newest: it goes at the order memory.
    assert keys(store) == {record(n).dedupe_key for n in (2, 4, 5)}
    # 59 days on: rows 2 and 4 are past the order memory; row 5, order 1's newest, is not.
    assert prune(store, RETENTION, NOW + timedelta(days=59)).inbox_rows == 2
    assert keys(store) == {record(5).dedupe_key}


def test_two_replicas_pruning_at_once_delete_each_row_once(store: Store) -> None:
    for n in range(40):
        dispatched(store, n, NOW - timedelta(days=70))
    results: list[Pruned] = []

    def replica() -> None:
        results.append(prune(store, RETENTION, NOW, batch=3))

    threads = [threading.Thread(target=replica) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.inbox_rows for r in results) == 40
    assert keys(store) == set()


def test_the_service_prunes_on_its_interval_and_not_at_all_at_zero(store: Store) -> None:
    dispatched(store, 1, NOW - timedelta(days=70))

    async def run_until_pruned(interval: float) -> bool:
        settings = Settings(intake_prune_interval_seconds=interval)
        task = asyncio.ensure_future(Housekeeping(store, settings).run_forever())
        for _ in range(50):
            await asyncio.sleep(0.1)
            if not keys(store):
                break
        task.cancel()
        return not keys(store)

    assert not asyncio.run(run_until_pruned(0))  # interval 0: the service leaves it
    assert asyncio.run(run_until_pruned(60))  # pruned on the first round, not after 60 s


def test_herald_intake_prune_reports_what_went(store: Store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cli, "_store", lambda: Unclosed(store))
    dispatched(store, 1, datetime.now(UTC) - timedelta(days=70))
    dispatched(store, 2, datetime.now(UTC) - timedelta(days=1))

    def run(*argv: str) -> tuple[int, str]:
        args = build_parser().parse_args(["intake", "prune", *argv])
        out = io.StringIO()
        return args.handler(args, out), out.getvalue()

    with pytest.raises(CliError) as refused:
        run("--batch", "0")
    assert refused.value.code == INVALID and keys(store) == {
        record(1).dedupe_key,
        record(2).dedupe_key,
    }
    code, out = run()
    assert code == 0 and out.startswith("pruned 1 dispatched events (older than 7 days;")
    assert keys(store) == {record(2).dedupe_key}
