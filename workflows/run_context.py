"""What every part of one workflow run shares: the state, the run's policy, the timeline.

Owns the one state model (``CarriedState``, handed over on continue-as-new), the policy
the run loaded when it started, the timeline entries and decided statuses on their way to
the store, the tasks that run beside the main loop (holds, report trackers, alerts), and
the count of sends in progress outside the main loop (no continue-as-new while one runs).
The concern modules (sms_send, deciding_send, delivery_reports, fallback, send_policy,
customer_replies) each hold a reference to it; none keeps state of its own that a
continue-as-new would have to carry.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.policy import WorkflowPolicy
    from activities.record import DecidedStatus, RecordInput
    from domain.events import MilestoneEvent
    from domain.timeline import EntryKind, MessagingHistory, TimelineEntry
    from workflows import support_view
    from workflows.state import CarriedState

LOCAL_TIMEOUT = timedelta(seconds=10)
LOCAL_RETRY = RetryPolicy(maximum_attempts=3, initial_interval=timedelta(milliseconds=200))
RECORD_RETRY = RetryPolicy(maximum_attempts=10, maximum_interval=timedelta(seconds=30))


class RunContext:
    def __init__(self, state: CarriedState) -> None:
        self.state = state
        self.policy = WorkflowPolicy()  # replaced by the run's first step (load_policy)
        self.to_record: list[TimelineEntry] = []
        self.decided: list[DecidedStatus] = []
        self.view = support_view.SupportView()
        self._tasks: set[asyncio.Task[None]] = set()
        self._sending = 0

    @property
    def history(self) -> MessagingHistory:
        return self.state.history

    @property
    def workflow_id(self) -> str:
        return workflow.info().workflow_id

    @property
    def send_timeout(self) -> timedelta:
        return timedelta(seconds=self.policy.send_timeout_seconds)

    # ---- what support sees --------------------------------------------------------------

    def note(self, kind: EntryKind, detail: str, event: MilestoneEvent | None = None) -> None:
        """A timeline entry: in the history query at once, in the store at the next flush."""
        entry = TimelineEntry(
            entry_id=str(workflow.uuid4()),
            at=workflow.now(),
            kind=kind,
            detail=detail,
            milestone=event.milestone if event else None,
            event_id=event.event_id if event else None,
        )
        self.history.entries.append(entry)
        if kind is not EntryKind.MILESTONE_RECEIVED:  # messages are in the store already
            self.to_record.append(entry)

    def publish(self, *, search: bool = True) -> None:
        self.view.publish(self.history, search=search)

    @property
    def has_records(self) -> bool:
        return bool(self.to_record or self.decided)

    async def flush_records(self) -> None:
        """Write the entries and decided statuses gathered since the last flush."""
        if not self.has_records:
            return
        entries, statuses = self.to_record, self.decided
        self.to_record, self.decided = [], []
        await workflow.execute_local_activity(
            "record_timeline",
            RecordInput(workflow_id=self.workflow_id, entries=entries, statuses=statuses),
            start_to_close_timeout=LOCAL_TIMEOUT,
            retry_policy=RECORD_RETRY,
            summary=support_view.record_summary(len(entries) + len(statuses)),
        )

    # ---- work beside the main loop --------------------------------------------------------

    def start_task(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @contextmanager
    def sending(self) -> Iterator[None]:
        """A send outside the main loop (a hold that ends, a fallback, an alert): its state
        is not settled until it returns, so the run must not continue as new meanwhile."""
        self._sending += 1
        try:
            yield
        finally:
            self._sending -= 1

    @property
    def settled(self) -> bool:
        return self._sending == 0
