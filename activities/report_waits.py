"""The end of a send activity's wait for its final report, when no report came.

A send that waits completes asynchronously: the HTTP service completes it with the final
report. When none comes in time, the worker completes it itself with the provider's
accept, so the workflow goes on (to its next milestone or reply, and to the signalled
report with its durable deadline) at once, rather than after the activity's timeout and a
retry. Who completes is decided in the store: the worker first gives the task token up
(``give_up_waiting``), which fails if a report took it, so exactly one side uses it.

A worker that stops ends its waits early (``release_all``); one that dies leaves them to
the activity's timeout, whose retry returns the accept without sending again.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from pydantic import BaseModel
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from store.statuses import DeliveryStatuses

log = logging.getLogger(__name__)
RELEASE_TIMEOUT_SECONDS = 5.0  # a stopping worker does not hang on an unreachable server


@dataclass(frozen=True)
class ReportWait:
    client: Client
    message_key: str
    task_token: bytes
    result: BaseModel  # the activity's result without a report: the provider's accept


class ReportWaits:
    """Send activities of this worker waiting for a final report, each with its deadline."""

    def __init__(self, statuses: DeliveryStatuses) -> None:
        self._statuses = statuses
        self._timers: dict[bytes, tuple[ReportWait, asyncio.Task[None]]] = {}

    def end_after(self, wait: ReportWait, seconds: float) -> None:
        """Complete the activity with ``wait.result`` after ``seconds`` unless a report did.
        A second call for the same task token replaces the first one's deadline."""
        if (earlier := self._timers.pop(wait.task_token, None)) is not None:
            earlier[1].cancel()
        timer = asyncio.create_task(self._end_after(wait, seconds))
        self._timers[wait.task_token] = (wait, timer)  # also keeps the task referenced

    @property
    def pending(self) -> int:
        return len(self._timers)

    async def release_all(self) -> None:
        """The worker is stopping: end every wait now, while the client still works."""
        waits = [wait for wait, _ in self._timers.values()]
        for _, timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        ends = asyncio.gather(*(self._end(wait) for wait in waits), return_exceptions=True)
        try:
            await asyncio.wait_for(ends, RELEASE_TIMEOUT_SECONDS)
        except TimeoutError:  # the activities' timeouts and retries end them instead
            log.warning("%d report waits left to their activities' timeouts", len(waits))

    async def _end_after(self, wait: ReportWait, seconds: float) -> None:
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            return  # release_all ends it
        self._timers.pop(wait.task_token, None)
        try:
            await self._end(wait)
        except Exception:  # the activity's timeout and retry still end it: nothing is lost
            log.exception("could not end the report wait of %s", wait.message_key)

    async def _end(self, wait: ReportWait) -> None:
        given_up = await asyncio.to_thread(
            self._statuses.give_up_waiting, wait.message_key, wait.task_token
        )
        if not given_up:
            return  # a final report took the token: its callback completes the activity
        handle = wait.client.get_async_activity_handle(task_token=wait.task_token)
        try:
            await handle.complete(wait.result)
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise
            # Timed out already: its retry returns the accept (and any report by then).
            log.info("send of %s stopped waiting before its wait ended", wait.message_key)
