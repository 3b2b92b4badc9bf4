"""The dispatcher: every acknowledged event reaches its workflow once, a failed signal is
tried again after a back-off, two replicas never signal one event twice, and the pace
never passes the configured rate."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

import pytest

from domain.events import MilestoneEvent
from intake import dispatcher as dispatching
from intake.dispatcher import Dispatcher
from store.intake_inbox import IntakeRecord
from store.repository import Store
from tests.helpers.events import order_event


def inbox(store: Store, *references: str) -> list[MilestoneEvent]:
    return kept(store, [order_event("shipped", r) for r in references])


def kept(store: Store, events: list[MilestoneEvent]) -> list[MilestoneEvent]:
    """``events`` in the inbox as the generic source keeps them."""
    for event in events:
        store.intake_inbox.add(
            IntakeRecord(
                source="generic",
                account="default",
                dedupe_key=f"generic:default:{event.event_id}",
                workflow_id=event.workflow_id,
                event_id=event.event_id,
                event_json=event.model_dump_json().encode(),
            ),
            datetime.now(UTC),
        )
    return events


async def test_each_event_is_signalled_once_and_marked_done(store: Store) -> None:
    events = inbox(store, "D1", "D2", "D3")
    signalled: list[MilestoneEvent] = []

    async def signal(event: MilestoneEvent) -> None:
        signalled.append(event)

    dispatcher = Dispatcher(store, signal, rate=1000)
    assert await dispatcher.run_once() == 3
    assert await dispatcher.run_once() == 0
    assert [e.event_id for e in signalled] == [e.event_id for e in events]
    assert store.intake_inbox.backlog() == 0


async def test_a_failed_signal_is_kept_and_tried_again_after_its_back_off(store: Store) -> None:
    inbox(store, "D4")
    calls = 0

    async def temporal_away(event: MilestoneEvent) -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("Temporal unreachable")

    dispatcher = Dispatcher(store, temporal_away, rate=1000)
    assert await dispatcher.run_once() == 1
    assert store.intake_inbox.backlog() == 1 and calls == 1
    assert await dispatcher.run_once() == 0  # backing off: not due yet
    later = datetime.now(UTC) + timedelta(seconds=2)
    [row] = store.intake_inbox.claim_due(later, 10, 30)
    assert row.attempts == 1


async def test_two_replicas_never_signal_one_event_twice(store: Store) -> None:
    inbox(store, *(f"R{n}" for n in range(20)))
    signalled: list[str] = []

    async def signal(event: MilestoneEvent) -> None:
        await asyncio.sleep(0)
        signalled.append(event.event_id)

    first, second = (Dispatcher(store, signal, rate=10_000, batch=7) for _ in range(2))
    for _ in range(4):
        await asyncio.gather(first.run_once(), second.run_once())
    assert len(signalled) == 20 and len(set(signalled)) == 20


async def test_the_pace_never_passes_the_rate(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ten events at 5/s: the signals are at least 0.2 s apart (a fake clock)."""
    inbox(store, *(f"P{n}" for n in range(10)))
    clock = [1000.0]
    at: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        clock[0] += seconds

    monkeypatch.setattr(dispatching.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(dispatching.asyncio, "sleep", fake_sleep)

    async def signal(event: MilestoneEvent) -> None:
        at.append(clock[0])

    await Dispatcher(store, signal, rate=5).run_once()
    gaps = [b - a for a, b in itertools.pairwise(at)]
    assert len(at) == 10 and min(gaps) >= 0.2 - 1e-9


async def test_what_follows_a_signal_hears_the_rows_source_and_account(store: Store) -> None:
    [event] = inbox(store, "D9")
    followed: list[tuple[str, str, str]] = []

    async def signal(event: MilestoneEvent) -> None:
        pass

    async def after(source: str, account: str, event: MilestoneEvent) -> None:
        followed.append((source, account, event.event_id))

    dispatcher = Dispatcher(store, signal, rate=1000, after_signal=after)
    assert await dispatcher.run_once() == 1
    assert followed == [("generic", "default", event.event_id)]


async def test_a_failure_after_the_signal_keeps_the_row_for_another_try(store: Store) -> None:
    # The poller's start failed (Temporal away): the row is tried again, signal and all;
    # both are idempotent, so the retry repeats nothing a customer sees.
    inbox(store, "D10")

    async def signal(event: MilestoneEvent) -> None:
        pass

    async def poller_start_failed(source: str, account: str, event: MilestoneEvent) -> None:
        raise RuntimeError("Temporal unreachable")

    dispatcher = Dispatcher(store, signal, rate=1000, after_signal=poller_start_failed)
    assert await dispatcher.run_once() == 1
    assert store.intake_inbox.backlog() == 1


def inbox_of_one_order(store: Store, reference: str) -> list[MilestoneEvent]:
    return kept(store, [order_event(m, reference) for m in ("confirmed", "shipped", "delivered")])


async def test_signals_overlap_up_to_the_in_flight_limit(store: Store) -> None:
    """A signal is a round trip to Temporal: one at a time, the pace was that round trip's."""
    inbox(store, *(f"F{n}" for n in range(20)))
    at_once, most = 0, 0

    async def signal(event: MilestoneEvent) -> None:
        nonlocal at_once, most
        at_once += 1
        most = max(most, at_once)
        await asyncio.sleep(0.01)
        at_once -= 1

    assert await Dispatcher(store, signal, rate=10_000, in_flight=6).run_once() == 20
    assert most == 6
    assert store.intake_inbox.backlog() == 0


async def test_one_orders_events_go_one_after_the_other_in_their_order(store: Store) -> None:
    events = inbox_of_one_order(store, "O1") + inbox(store, "O2")
    signalled: list[str] = []
    busy: set[str] = set()

    async def signal(event: MilestoneEvent) -> None:
        assert event.workflow_id not in busy, "two signals for one order at once"
        busy.add(event.workflow_id)
        await asyncio.sleep(0.01)
        busy.discard(event.workflow_id)
        signalled.append(event.event_id)

    assert await Dispatcher(store, signal, rate=10_000, in_flight=8).run_once() == 4
    order_one = {e.event_id for e in events[:3]}
    assert [e for e in signalled if e in order_one] == [e.event_id for e in events[:3]]


async def test_an_orders_later_events_wait_for_its_failed_one(store: Store) -> None:
    events = inbox_of_one_order(store, "O3")
    signalled: list[str] = []

    async def signal(event: MilestoneEvent) -> None:
        if event.milestone.value == "shipped":
            raise RuntimeError("Temporal unreachable")
        signalled.append(event.event_id)

    assert await Dispatcher(store, signal, rate=10_000).run_once() == 3
    assert signalled == [events[0].event_id]  # delivered was not signalled before shipped
    assert store.intake_inbox.backlog() == 2


@pytest.mark.parametrize(("earlier_failures", "done"), [(1, False), (2, True)])
async def test_a_follow_up_that_keeps_failing_is_given_up_after_its_tries(
    store: Store, monkeypatch: pytest.MonkeyPatch, earlier_failures: int, done: bool
) -> None:
    """A signal that went through is not repeated for ever because what follows it (a
    poller's start) can never succeed: the third try is the last."""
    monkeypatch.setattr(dispatching, "MAX_FOLLOW_UP_ATTEMPTS", 3)
    inbox(store, "G1")
    [row] = store.intake_inbox.due(datetime.now(UTC), 10)
    past = datetime.now(UTC) - timedelta(seconds=1)
    for _ in range(earlier_failures):
        store.intake_inbox.failed(row.id, "poller not started", past)
    signals = 0

    async def signal(event: MilestoneEvent) -> None:
        nonlocal signals
        signals += 1

    async def never_starts(source: str, account: str, event: MilestoneEvent) -> None:
        raise ValueError("tracking code too long for a workflow id")

    dispatcher = Dispatcher(store, signal, rate=1000, after_signal=never_starts)
    assert await dispatcher.run_once() == 1
    assert signals == 1 and store.intake_inbox.backlog() == (0 if done else 1)


def test_the_lease_outlasts_a_batch_at_the_rate_ceiling(store: Store) -> None:
    async def signal(event: MilestoneEvent) -> None:
        pass

    assert Dispatcher(store, signal, rate=1.0, batch=50, lease_seconds=30)._lease == 100.0
    assert Dispatcher(store, signal, rate=50.0, batch=50, lease_seconds=30)._lease == 30.0
