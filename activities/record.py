"""Write the workflow's decisions to the store, beside the message rows."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel
from temporalio import activity

from activities.delivery import utcnow
from domain.timeline import StatusChange, TimelineEntry
from store.repository import Store
from store.timeline import TimelineRecord


class DecidedStatus(BaseModel):
    message_key: str
    change: StatusChange


class RecordInput(BaseModel):
    workflow_id: str
    entries: list[TimelineEntry] = []
    statuses: list[DecidedStatus] = []


class RecordActivities:
    def __init__(self, store: Store) -> None:
        self._store = store

    @activity.defn(name="record_timeline")
    async def record_timeline(self, request: RecordInput) -> None:
        # Idempotent: each entry carries a workflow-made id that is unique in the store, so
        # a retry finds it and writes nothing. A status repeated on retry is harmless.
        await asyncio.to_thread(self._write, request)

    def _write(self, request: RecordInput) -> None:
        for entry in request.entries:
            self._store.timeline.add(
                TimelineRecord(
                    entry_key=entry.entry_id or f"{request.workflow_id}:{entry.at.isoformat()}",
                    workflow_id=request.workflow_id,
                    at=entry.at,
                    kind=entry.kind.value,
                    milestone=entry.milestone.value if entry.milestone else None,
                    event_id=entry.event_id,
                    detail=entry.detail,
                )
            )
        for decided in request.statuses:
            change = decided.change
            self._store.outbox.set_status(
                decided.message_key,
                change.status.value,
                change.error_code,
                change.detail or "",
                change.at or utcnow(),
            )
