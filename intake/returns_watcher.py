"""A watcher on a retailer's returns table: status changes to return milestones, through the
intake's inbox like every other source (docs/intake.md, "Returns").

Why a cursor and not LISTEN/NOTIFY alone: a notification sent while no watcher listens (a
deploy, a network blip) is gone, while a cursor over ``(updated_at, id)``, kept in Herald's
store (store/intake_cursors.py), resumes where it stopped after any downtime. NOTIFY, when
the retailer adds the trigger, only wakes the watcher early (intake/pg_notify.py).

A plain cursor misses a transaction that commits late with an earlier ``updated_at`` than
rows already read (``updated_at = now()`` is the transaction's start on PostgreSQL). So
each pass starts ``overlap_seconds`` behind the cursor and reads forward; rows already
handled are skipped (in memory) and, after a restart, their events are the same ids and
the inbox keeps them once.

Each page's events, dead letters and cursor advance are one transaction in Herald's store,
the cursor first: it is conditional on this replica still holding the lease, so a replica
that lost it writes nothing, and a crash leaves either all of a page or none of it.
One replica reads a table at a time (the lease in the cursor row); the others wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from intake.handoff import keep_events_in, keep_refusal_in
from intake.pg_notify import listen_for
from intake.returns_reader import ReadRow, ReturnsReader, source_engine
from intake.source import PRIORITY_LOW, IntakeRefused
from intake.sources.returns_table import SOURCE, ReturnsTable, map_return_row, row_payload
from intake.validation import DEFAULT_RULES, Rules, checked
from observability.returns_watcher_metrics import FAILURES, HOLDING, READ_TO_END, ROWS
from store.intake_cursors import CursorState, Position
from store.repository import Store

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 60.0
DELIVERY = "row"  # the inbox key is the event id: a row read again is the same key
Clock = Callable[[], datetime]
RowKey = tuple[str, datetime, str]  # id, updated_at, the values' digest


class LeaseLost(RuntimeError):
    """Another replica took the table while this one read it: its page rolled back."""


@dataclass(frozen=True)
class Pass:
    """What one pass did: rows read, events new to the inbox, dead letters, and whether it
    held the lease at all."""

    held: bool
    rows: int = 0
    events: int = 0
    refused: int = 0


class ReturnsWatcher:
    def __init__(
        self,
        store: Store,
        config: ReturnsTable,
        database_url: str,
        *,
        holder: str | None = None,
        on_events: Callable[[], None] | None = None,
        clock: Clock = lambda: datetime.now(UTC),
        rules: Rules = DEFAULT_RULES,  # the table's [[validation]] rules (intake/validation.py)
    ) -> None:
        self._store, self._config, self._rules = store, config, rules
        self._url = database_url
        self._reader = ReturnsReader(source_engine(database_url), config)
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._on_events = on_events or (lambda: None)
        self._clock = clock
        self._seen: dict[RowKey, None] = {}  # rows handled, within the overlap

    @property
    def name(self) -> str:
        return self._config.name

    def read_once(self) -> Pass:
        """One pass: take or renew the lease, then read from the cursor less the overlap to
        the end of the table, a page per transaction."""
        config, cursors = self._config, self._store.intake_cursors
        now = self._clock()
        state = cursors.acquire(SOURCE, config.name, self.holder, now, config.lease_seconds)
        if state is None:
            self._seen.clear()  # another replica reads; what it handles is not known here
            return Pass(held=False)
        cursor = self._start(state)
        after = cursor and Position(cursor.at - timedelta(seconds=config.overlap_seconds), "")
        inclusive, rows, events, refused = True, 0, 0, 0
        while True:
            page = self._reader.page(after, inclusive=inclusive, limit=config.page_size)
            new_events, new_refused = self._keep(page, cursor)
            rows, events, refused = rows + len(page), events + new_events, refused + new_refused
            if page:
                after, inclusive = page[-1].position, False
                cursor = _later(cursor, page[-1].position)
            if len(page) < config.page_size:
                break
        cursors.caught_up(SOURCE, config.name, self.holder, self._clock())
        self._forget_before(cursor)
        return Pass(held=True, rows=rows, events=events, refused=refused)

    def _start(self, state: CursorState) -> Position | None:
        """The cursor; for a new one, where the configuration says to start."""
        if state.position is not None or self._config.start_from == "beginning":
            return state.position
        return self._reader.newest()

    def _keep(self, page: list[ReadRow], cursor: Position | None) -> tuple[int, int]:
        """The page's events and dead letters, with the cursor's advance, in one
        transaction; (new events, dead letters)."""
        config, store = self._config, self._store
        keyed = [(row, _row_key(row)) for row in page]
        fresh = [row for row, key in keyed if key not in self._seen]
        now = self._clock()
        events, refusals = [], []
        for row in fresh:
            payload = row_payload(row.values)
            try:
                events += checked(map_return_row(payload, config, self._rules), self._rules).events
            except IntakeRefused as refused:
                refusals.append((refused, _dead_letter_body(config.name, payload)))
            except Exception as exc:  # a shape no check foresaw: kept to replay after a fix
                reason = f"row {row.position.id} could not be read: {exc}"
                refusals.append(
                    (IntakeRefused(reason, PRIORITY_LOW), _dead_letter_body(config.name, payload))
                )
        position = _later(cursor, page[-1].position) if page else None
        with store.engine.begin() as connection:
            advanced = store.intake_cursors.advance(
                connection,
                SOURCE,
                config.name,
                self.holder,
                position,
                len(fresh),
                now,
                config.lease_seconds,
            )
            if not advanced:
                raise LeaseLost(f"returns table {config.name!r}: the lease passed to another")
            added, _ = keep_events_in(connection, store, SOURCE, config.name, DELIVERY, events, now)
            for refused, body in refusals:
                log.warning("returns %s: dead letter: %s", config.name, refused.reason)
                keep_refusal_in(connection, store, SOURCE, config.name, refused, body, now)
        self._seen.update((key, None) for _row, key in keyed)  # committed: handled
        return added, len(refusals)

    def _forget_before(self, cursor: Position | None) -> None:
        """Rows older than the next pass's start are never read again: forget them."""
        if cursor is None:
            return
        start = cursor.at - timedelta(seconds=self._config.overlap_seconds)
        self._seen = {key: None for key in self._seen if key[1] >= start}

    async def run_forever(self) -> None:
        """Pass after pass until cancelled: after a pass, wait for a notification or the
        poll interval; after an error, log it, keep it in the cursor row (the intake's
        status shows it) and back off. Never raises but CancelledError."""
        wake = asyncio.Event()
        listener = None
        if self._config.notify_channel:
            listener = asyncio.create_task(listen_for(self._url, self._config.notify_channel, wake))
        failures = 0
        try:
            while True:
                wake.clear()  # a notification during the pass brings another pass
                try:
                    done = await asyncio.to_thread(self.read_once)
                except Exception as error:
                    failures += 1
                    FAILURES.labels(self.name).set(failures)
                    await self._record_failure(error)
                    await asyncio.sleep(_backoff(failures))  # a notification cannot hurry it
                    continue
                failures = 0
                _publish(self.name, done)
                if done.events:
                    self._on_events()  # here, in the loop: the dispatcher's wake is not thread-safe
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), self._config.poll_seconds)
        finally:
            if listener is not None:
                listener.cancel()
            with contextlib.suppress(Exception):
                await asyncio.to_thread(
                    self._store.intake_cursors.release, SOURCE, self.name, self.holder
                )
            self._reader.dispose()

    async def _record_failure(self, error: Exception) -> None:
        if isinstance(error, LeaseLost):
            log.info("%s", error)
            return
        message = f"{type(error).__name__}: {error}"
        log.warning("returns table %s could not be read: %s", self.name, message)
        try:
            await asyncio.to_thread(
                self._store.intake_cursors.failed, SOURCE, self.name, message, self._clock()
            )
        except Exception:  # Herald's store away too: the log has it
            log.exception("returns table %s: the failure could not be recorded", self.name)


def _publish(account: str, done: Pass) -> None:
    FAILURES.labels(account).set(0)
    HOLDING.labels(account).set(1 if done.held else 0)
    if done.held:
        READ_TO_END.labels(account).set_to_current_time()
        ROWS.labels(account).inc(done.rows)


def _row_key(row: ReadRow) -> RowKey:
    """A row as it was read: a table whose times have whole seconds can change a row twice
    within one ``updated_at``, and the second version is news."""
    values = json.dumps(row_payload(row.values), sort_keys=True, default=str).encode()
    return row.position.id, row.position.at, hashlib.sha256(values).hexdigest()


def _later(cursor: Position | None, position: Position) -> Position:
    """The cursor never moves back: the overlap's rows are behind it."""
    return position if cursor is None or position.at > cursor.at else cursor


def _dead_letter_body(name: str, payload: dict[str, object]) -> bytes:
    """What a dead letter keeps: the table's name and the row as read (replayable)."""
    return json.dumps({"table": name, "row": payload}, sort_keys=True, default=str).encode()


def _backoff(failures: int) -> float:
    return min(2.0 ** max(failures, 0), MAX_BACKOFF_SECONDS)
