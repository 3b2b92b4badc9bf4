"""From the intake's inbox to the orders' workflows, at a controlled rate, losing nothing.

A source's route only writes the event to the inbox (store/intake_inbox.py) before it
acknowledges; this loop, one in each HTTP service replica, claims due rows under a lease
(two replicas never signal one row at once; a replica that dies mid-batch leaves rows whose
lease runs out), signals each order's workflow and marks the row dispatched. A failed
signal (Temporal slow or restarting) backs off and is tried again; the workflow ignores an
event id it has seen, so a signal repeated after a crash changes nothing. The pace is a
ceiling (``rate`` events a second), so a seasonal burst drains steadily instead of
landing on Temporal at once.

Signals go ``in_flight`` at a time: one signal-with-start is a round trip to the server
(25-250 ms, more when it is busy), so one at a time the pace was that round trip's (4/s
seen under load against a rate of 50). One order's events in a batch still go one after
the other, in the order they arrived: the workflow orders milestones itself, but a
signal-with-start racing another for the same new workflow would only cost a retry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from domain.events import MilestoneEvent
from observability.intake_metrics import INTAKE_DISPATCHES
from store.intake_inbox import PendingEvent
from store.repository import Store

log = logging.getLogger(__name__)

Signal = Callable[[MilestoneEvent], Awaitable[object]]
# What follows a signal, with the row's source and account (a shipped event of an account
# that polls starts its tracking poller); it fails as the signal does, and is repeated with
# it, so it must be idempotent.
AfterSignal = Callable[[str, str, MilestoneEvent], Awaitable[object]]
MAX_BACKOFF_SECONDS = 60.0
MAX_FOLLOW_UP_ATTEMPTS = 20  # about 15 minutes of back-off
IDLE_POLL_SECONDS = 1.0  # another replica's events; this one's wake the loop at once


class Dispatcher:
    def __init__(
        self,
        store: Store,
        signal: Signal,
        *,
        rate: float,
        batch: int = 50,
        lease_seconds: float = 30.0,
        after_signal: AfterSignal | None = None,
        in_flight: int = 16,
    ) -> None:
        self._store, self._signal, self._after_signal = store, signal, after_signal
        self._interval = 1.0 / rate
        # A lease shorter than a batch takes at the rate ceiling would run out mid-batch,
        # and another replica would signal the same rows again (harmless, but wasted).
        self._batch, self._lease = batch, max(lease_seconds, 2.0 * batch / rate)
        self._in_flight = in_flight
        self._wake: asyncio.Event | None = None  # made in the loop that runs it

    def wake(self) -> None:
        """An event was just written here: no need to wait for the next poll."""
        if self._wake is not None:
            self._wake.set()

    async def run_once(self) -> int:
        """Claim and signal one batch; how many rows it claimed."""
        now = datetime.now(UTC)
        due = await asyncio.to_thread(
            self._store.intake_inbox.claim_due, now, self._batch, self._lease
        )
        by_order: dict[str, list[PendingEvent]] = {}
        for row in due:  # oldest first: each order's events keep their order
            by_order.setdefault(row.workflow_id, []).append(row)
        done: list[int] = []
        pace = _Pace(self._interval)
        slots = asyncio.Semaphore(self._in_flight)

        async def one_order(rows: list[PendingEvent]) -> None:
            for row in rows:
                async with slots:
                    await pace.wait()
                    if not await self._dispatch(row):
                        return  # its later events wait: due again when their lease ends
                done.append(row.id)

        await asyncio.gather(*(one_order(rows) for rows in by_order.values()))
        if done:
            await asyncio.to_thread(self._store.intake_inbox.dispatched, done, datetime.now(UTC))
        return len(due)

    async def _dispatch(self, row: PendingEvent) -> bool:
        """Signal the row's event (and what follows it); False when it failed and was put
        back to be tried again after a back-off.

        A signal that fails is tried again for as long as it takes: the event waits in the
        inbox, nothing is lost. What follows a signal that went through (a tracking
        poller's start) is tried again with it, but only ``MAX_FOLLOW_UP_ATTEMPTS`` times
        in all: a follow-up that can never succeed would otherwise signal the order again
        every minute, for ever. Past it the row is done, the follow-up given up and logged.
        """
        try:
            event = MilestoneEvent.model_validate_json(row.event_json)
            await self._signal(event)
        except Exception as error:  # kept, and tried again after a back-off
            return await self._put_back(row, error)
        if self._after_signal is not None:
            try:
                await self._after_signal(row.source, row.account, event)
            except Exception as error:
                if row.attempts + 1 < MAX_FOLLOW_UP_ATTEMPTS:
                    return await self._put_back(row, error)
                log.error(
                    "intake event %s signalled; what follows it given up after %d tries: %s",
                    row.event_id,
                    row.attempts + 1,
                    error,
                )
                INTAKE_DISPATCHES.labels(row.source, row.account, "follow_up_given_up").inc()
        INTAKE_DISPATCHES.labels(row.source, row.account, "signalled").inc()
        return True

    async def _put_back(self, row: PendingEvent, error: Exception) -> bool:
        retry_at = datetime.now(UTC) + timedelta(seconds=_backoff(row.attempts))
        log.warning("intake event %s not signalled yet: %s", row.event_id, error)
        await asyncio.to_thread(self._store.intake_inbox.failed, row.id, str(error)[:500], retry_at)
        INTAKE_DISPATCHES.labels(row.source, row.account, "failed").inc()
        return False

    async def run_forever(self) -> None:
        self._wake = wake = asyncio.Event()
        while True:
            try:
                claimed = await self.run_once()
            except Exception:  # the store away: try again after the poll
                log.exception("the intake dispatcher could not read its inbox")
                claimed = 0
            if claimed:
                continue
            wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), IDLE_POLL_SECONDS)


class _Pace:
    """Starts at most one signal every ``interval`` seconds, however many wait."""

    def __init__(self, interval: float) -> None:
        self._interval = interval
        self._next_at = time.monotonic()
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            await asyncio.sleep(max(0.0, self._next_at - time.monotonic()))
            self._next_at = max(self._next_at, time.monotonic()) + self._interval


def _backoff(attempts: int) -> float:
    return min(2.0 ** max(attempts, 0), MAX_BACKOFF_SECONDS)
