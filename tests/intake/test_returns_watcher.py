"""The returns watcher against real databases: Herald's store (the ``store`` fixture) and a
retailer's returns table (SQLite, and PostgreSQL when HERALD_TEST_POSTGRES_URL is set,
each in a database or schema of the test's own)."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Column, DateTime, Engine, MetaData, String, Table, Uuid, create_engine, text
from sqlalchemy.exc import InternalError, OperationalError

from domain.events import MilestoneEvent
from domain.milestones import Milestone
from intake.returns_demo import NOTIFY_TRIGGER_SQL, create_returns_table, set_return_status
from intake.returns_reader import source_engine
from intake.returns_watcher import ReturnsWatcher
from intake.sources.returns_table import ReturnColumns, ReturnsTable
from intake.validation import Rules
from observability.metrics import REGISTRY
from store.repository import Store
from tests.helpers.databases import backends, fresh_database_url

T0 = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
PHONE = "+14155550123"
CONFIG = ReturnsTable(
    name="acme",
    merchant="acme",
    columns={"reference": "rma", "locale": "customer_locale"},
    quiet_statuses={"requested"},
    overlap_seconds=300,
    page_size=2,  # several pages in most tests
    start_from="beginning",
)


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=backends())
def retailer(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A retailer's database with an empty returns table; its URL."""
    folder = tmp_path / "retailer"
    folder.mkdir()
    with fresh_database_url(request.param, folder) as url:
        engine = create_engine(url)
        create_returns_table(engine)
        engine.dispose()
        yield url


@pytest.fixture
def retailer_engine(retailer: str) -> Iterator[Engine]:
    engine = create_engine(retailer)
    yield engine
    engine.dispose()


def watcher(store: Store, url: str, clock: Clock, **changes: object) -> ReturnsWatcher:
    return ReturnsWatcher(store, CONFIG.model_copy(update=changes), url, clock=clock)


def inbox_events(store: Store) -> list[MilestoneEvent]:
    rows = store.intake_inbox.due(datetime.now(UTC) + timedelta(days=1), 1000)
    return [MilestoneEvent.model_validate_json(row.event_json) for row in rows]


def event_ids(store: Store) -> list[str]:
    return sorted(event.event_id for event in inbox_events(store))


def move(engine: Engine, rma: str, status: str, at: datetime, **contact: str) -> None:
    set_return_status(engine, rma, status, phone=PHONE, updated_at=at, **contact)


def test_a_status_transition_becomes_one_milestone_once(
    store: Store, retailer: str, retailer_engine: Engine
) -> None:
    clock = Clock()
    watching = watcher(store, retailer, clock)
    move(retailer_engine, "RMA-1", "requested", T0)
    assert watching.read_once().events == 0  # a quiet status: nothing to tell

    move(retailer_engine, "RMA-1", "refunded", T0 + timedelta(seconds=5))
    assert watching.read_once().events == 1
    [event] = inbox_events(store)
    assert (event.event_id, event.workflow_id) == ("RMA-1:refund_processed", "return-RMA-1")
    assert event.customer.phone == PHONE and event.customer.email is None  # SMS only
    assert event.occurred_at == T0 + timedelta(seconds=5)

    again = watching.read_once()
    assert (again.rows, again.events) == (1, 0)  # the overlap read it again: nothing new
    assert event_ids(store) == ["RMA-1:refund_processed"]
    cursor = store.intake_cursors.get("returns", "acme")
    assert cursor is not None and cursor.position is not None
    assert cursor.position.at == T0 + timedelta(seconds=5)
    assert cursor.caught_up_at == clock.now and cursor.failures == 0


def test_a_row_committed_late_with_an_earlier_time_is_read_within_the_overlap(
    store: Store, retailer: str, retailer_engine: Engine
) -> None:
    watching = watcher(store, retailer, Clock())
    newest = T0 + timedelta(minutes=30)
    move(retailer_engine, "RMA-NEW", "received", newest)
    watching.read_once()  # the cursor is at the newest row now
    # Transactions that began earlier commit now, behind the cursor.
    move(retailer_engine, "RMA-EDGE", "received", newest - timedelta(seconds=300))
    move(retailer_engine, "RMA-LATE", "received", newest - timedelta(seconds=120))
    move(retailer_engine, "RMA-LOST", "received", newest - timedelta(seconds=300, microseconds=1))

    assert watching.read_once().events == 2
    assert event_ids(store) == ["RMA-EDGE:received", "RMA-LATE:received", "RMA-NEW:received"]


def test_rows_behind_the_cursor_are_not_emitted_again_and_dead_letters_not_recounted(
    store: Store, retailer: str, retailer_engine: Engine
) -> None:
    watching = watcher(store, retailer, Clock())
    for n in range(5):
        move(retailer_engine, f"RMA-{n}", "received", T0 + timedelta(seconds=n))
    set_return_status(retailer_engine, "RMA-X", "received", updated_at=T0)  # nobody to tell
    first = watching.read_once()
    assert (first.rows, first.events, first.refused) == (6, 5, 1)

    for _ in range(3):
        assert watching.read_once().events == 0
    assert len(event_ids(store)) == 5
    [letter] = store.dead_letters.list(10)
    assert (letter.source, letter.account, letter.count) == ("returns", "acme", 1)
    assert letter.reason == "return RMA-X: no customer with a valid phone or e-mail"


def test_a_restarted_watcher_resumes_from_the_cursor(
    store: Store, retailer: str, retailer_engine: Engine
) -> None:
    clock = Clock()
    old = T0 - timedelta(hours=1)
    for n in range(4):  # ten minutes apart: only the last is within the overlap
        move(retailer_engine, f"RMA-OLD-{n}", "received", old + timedelta(minutes=10 * n))
    watcher(store, retailer, clock).read_once()  # then the process dies, holding its lease

    move(retailer_engine, "RMA-DOWN", "inspected", T0)  # while no watcher ran
    clock.now += timedelta(seconds=CONFIG.lease_seconds + 1)
    restarted = watcher(store, retailer, clock, start_from="now").read_once()
    # From the cursor less the overlap: of the old rows only the last is read again (and
    # tells nothing new); "start from now" applies to a new cursor only.
    assert restarted.held and (restarted.rows, restarted.events) == (2, 1)
    assert "RMA-DOWN:inspected" in event_ids(store)


def test_a_new_cursor_starting_now_tells_nothing_older_than_the_overlap(
    store: Store, retailer: str, retailer_engine: Engine
) -> None:
    move(retailer_engine, "RMA-ANCIENT", "refunded", T0 - timedelta(days=90))
    move(retailer_engine, "RMA-RECENT", "refunded", T0)
    watcher(store, retailer, Clock(), start_from="now").read_once()
    assert event_ids(store) == ["RMA-RECENT:refund_processed"]


def test_one_replica_reads_at_a_time_and_another_takes_over_after_the_lease(
    store: Store, retailer: str, retailer_engine: Engine
) -> None:
    clock = Clock()
    first, second = watcher(store, retailer, clock), watcher(store, retailer, clock)
    move(retailer_engine, "RMA-1", "received", T0)
    assert first.read_once().held
    move(retailer_engine, "RMA-2", "received", T0 + timedelta(seconds=1))
    assert second.read_once() == type(second.read_once())(held=False)
    assert event_ids(store) == ["RMA-1:received"]  # the second wrote nothing

    clock.now += timedelta(seconds=CONFIG.lease_seconds - 1)
    assert not second.read_once().held  # the lease has a second left
    clock.now += timedelta(seconds=1)
    taken = second.read_once()  # the first stopped renewing: its lease ran out
    assert taken.held and taken.events == 1
    assert not first.read_once().held
    cursor = store.intake_cursors.get("returns", "acme")
    assert cursor is not None and cursor.holder == second.holder


def test_a_replica_that_lost_the_lease_mid_pass_writes_nothing(
    store: Store, retailer: str, retailer_engine: Engine
) -> None:
    clock = Clock()
    first, second = watcher(store, retailer, clock), watcher(store, retailer, clock)
    first.read_once()
    clock.now += timedelta(seconds=CONFIG.lease_seconds)
    assert second.read_once().held  # the lease passed while the first was slow
    move(retailer_engine, "RMA-1", "received", T0)
    with store.engine.begin() as connection:  # the first's page, as its pass would write it
        assert not store.intake_cursors.advance(
            connection, "returns", "acme", first.holder, None, 1, clock.now, 60
        )


def test_a_missing_column_is_a_failure_the_status_shows_and_the_loop_survives(
    store: Store, retailer: str
) -> None:
    bad = CONFIG.model_copy(
        update={"columns": CONFIG.columns.model_copy(update={"phone": "mobile"})}
    )

    async def run_a_moment() -> None:
        watching = ReturnsWatcher(store, bad.model_copy(update={"poll_seconds": 0.1}), retailer)
        task = asyncio.create_task(watching.run_forever())
        for _ in range(100):
            await asyncio.sleep(0.05)
            cursor = store.intake_cursors.get("returns", "acme")
            if cursor is not None and cursor.failures:
                break
        assert not task.done()  # failing, backing off, not crashed
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run(run_a_moment())
    cursor = store.intake_cursors.get("returns", "acme")
    assert cursor is not None and cursor.failures >= 1
    assert cursor.last_error == "ReturnsTableError: returns table 'returns' has no column 'mobile'"
    assert cursor.holder is None  # released when the task stopped
    failures = REGISTRY.get_sample_value("herald_returns_watcher_failures", {"account": "acme"})
    assert failures is not None and failures >= 1


def test_a_running_watcher_publishes_that_it_holds_and_read_to_the_end(
    store: Store, retailer: str, retailer_engine: Engine
) -> None:
    config = CONFIG.model_copy(update={"name": f"m{uuid.uuid4().hex[:8]}", "poll_seconds": 0.1})
    move(retailer_engine, "RMA-1", "received", T0)
    started = time.time()
    labels = {"account": config.name}

    def read_to_the_end() -> bool:
        # The pass's page is committed before its figures are published: wait for both.
        published = REGISTRY.get_sample_value("herald_returns_watcher_rows_total", labels)
        return event_ids(store) == ["RMA-1:received"] and bool(published)

    async def run_a_moment() -> None:
        task = asyncio.create_task(ReturnsWatcher(store, config, retailer).run_forever())
        await _until(read_to_the_end)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run(run_a_moment())
    assert REGISTRY.get_sample_value("herald_returns_watcher_holding", labels) == 1
    assert REGISTRY.get_sample_value("herald_returns_watcher_failures", labels) == 0
    read_at = REGISTRY.get_sample_value(
        "herald_returns_watcher_read_to_end_timestamp_seconds", labels
    )
    assert read_at is not None and read_at >= started
    rows = REGISTRY.get_sample_value("herald_returns_watcher_rows_total", labels)
    assert rows is not None and rows >= 1


def test_the_watchers_engine_cannot_write_to_the_retailers_table(retailer: str) -> None:
    engine = source_engine(retailer)
    try:
        with pytest.raises((OperationalError, InternalError)), engine.begin() as connection:
            connection.execute(text("DELETE FROM returns"))
    finally:
        engine.dispose()


async def test_a_notification_wakes_the_watcher_before_its_poll(
    store: Store, tmp_path: Path
) -> None:
    if "postgresql" not in backends():
        pytest.skip("NOTIFY needs PostgreSQL (HERALD_TEST_POSTGRES_URL)")
    channel = f"herald_returns_{uuid.uuid4().hex[:8]}"
    with fresh_database_url("postgresql", tmp_path) as url:
        engine = create_engine(url)
        create_returns_table(engine)
        with engine.begin() as connection:
            connection.execute(text(NOTIFY_TRIGGER_SQL.format(channel=channel, table="returns")))
        config = CONFIG.model_copy(
            update={"poll_seconds": 60.0, "lease_seconds": 120.0, "notify_channel": channel}
        )
        task = asyncio.create_task(ReturnsWatcher(store, config, url).run_forever())
        try:
            await _until(lambda: _listening(engine, channel))
            await asyncio.sleep(0.2)  # the pass the connection's own wake-up started
            started = asyncio.get_running_loop().time()
            move(engine, "RMA-N", "refunded", datetime.now(UTC))
            await _until(lambda: event_ids(store) == ["RMA-N:refund_processed"])
            assert asyncio.get_running_loop().time() - started < 5  # not the 60 s poll
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            engine.dispose()


def _listening(engine: Engine, channel: str) -> bool:
    query = text("SELECT count(*) FROM pg_stat_activity WHERE query = :listen")
    with engine.connect() as connection:
        return connection.execute(query, {"listen": f'LISTEN "{channel}"'}).scalar_one() == 1


async def _until(condition, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not await asyncio.to_thread(condition):
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


def test_a_rows_event_meets_the_tables_validation_rules(
    store: Store, retailer: str, retailer_engine: Engine
) -> None:
    """Validation per account (intake/validation.py): an SMS-only table's e-mail-only
    customer is a dead letter; a milestone it does not use is ignored, not refused."""
    rules = Rules(contact="phone", milestones={Milestone.REFUND_PROCESSED})
    watching = ReturnsWatcher(store, CONFIG, retailer, clock=Clock(), rules=rules)
    set_return_status(retailer_engine, "RMA-7", "refunded", email="ana@example.com", updated_at=T0)
    set_return_status(retailer_engine, "RMA-8", "received", phone=PHONE, updated_at=T0)
    outcome = watching.read_once()
    assert (outcome.events, outcome.refused) == (0, 1)
    [letter] = store.dead_letters.list(10)
    assert "SMS only" in letter.reason and "RMA-7" in letter.reason


def test_a_row_changed_twice_within_one_updated_at_is_told_both_times(
    store: Store, retailer: str, retailer_engine: Engine
) -> None:
    watching = watcher(store, retailer, Clock())
    move(retailer_engine, "RMA-1", "received", T0)  # a table with whole-second times
    watching.read_once()
    move(retailer_engine, "RMA-1", "inspected", T0)  # within the same second
    assert watching.read_once().events == 1
    assert event_ids(store) == ["RMA-1:inspected", "RMA-1:received"]


def test_a_table_keyed_by_uuids_is_paged_through_in_its_own_order(
    store: Store, retailer: str, retailer_engine: Engine
) -> None:
    table = Table(
        "uuid_returns",
        MetaData(),
        Column("id", Uuid, primary_key=True),
        Column("status", String(20)),
        Column("customer_phone", String(20)),
        Column("customer_email", String(20)),
        Column("customer_name", String(20)),
        Column("updated_at", DateTime(timezone=True)),
    )
    table.metadata.create_all(retailer_engine)
    ids = sorted(uuid.uuid4() for _ in range(5))
    with retailer_engine.begin() as connection:  # one time for all: only the ids order them
        connection.execute(
            table.insert(),
            [
                {"id": i, "status": "received", "customer_phone": PHONE, "updated_at": T0}
                for i in ids
            ],
        )
    config = CONFIG.model_copy(
        update={"table": "uuid_returns", "columns": ReturnColumns(), "page_size": 2}
    )
    done = ReturnsWatcher(store, config, retailer, clock=Clock()).read_once()
    assert (done.rows, done.events) == (5, 5)
    assert len(event_ids(store)) == 5


def test_a_real_late_commit_on_postgresql_is_read_through_the_overlap_and_missed_without(
    store: Store, tmp_path: Path
) -> None:
    if "postgresql" not in backends():
        pytest.skip("concurrent writers need PostgreSQL (HERALD_TEST_POSTGRES_URL)")
    with fresh_database_url("postgresql", tmp_path) as url:
        engine = create_engine(url)
        create_returns_table(engine)
        overlapping = watcher(store, url, Clock())
        plain = watcher(store, url, Clock(), name="acme-plain", overlap_seconds=0)
        try:
            with engine.connect() as slow:  # begins first: its now() is the earlier time
                slow.execute(
                    text(
                        "INSERT INTO returns (rma, status, customer_phone, updated_at) "
                        "VALUES ('RMA-SLOW', 'refunded', :phone, now())"
                    ),
                    {"phone": PHONE},
                )
                move(engine, "RMA-FAST", "refunded", datetime.now(UTC))  # commits first
                for watching in (overlapping, plain):
                    watching.read_once()  # the cursors pass RMA-SLOW's time, unseen
                slow.commit()
            # The plain cursor first: had it read RMA-SLOW now, its event would be new.
            assert plain.read_once().events == 0  # a cursor alone skips it for good
            assert overlapping.read_once().events == 1
            # One return's milestone is one inbox row, whichever watcher read it first.
            assert event_ids(store) == ["RMA-FAST:refund_processed", "RMA-SLOW:refund_processed"]
        finally:
            engine.dispose()
