"""What every source's route does once it has read a payload: the events into the inbox
(acknowledged once they are there), or the payload into the dead letters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from domain.events import MilestoneEvent
from intake.source import IntakeRefused
from store.intake_inbox import IntakeRecord
from store.repository import Store


def keep_events(
    store: Store,
    source: str,
    account: str,
    delivery_id: str,
    events: Sequence[MilestoneEvent],
    now: datetime,
) -> tuple[int, int]:
    """(new, repeated): ``delivery_id`` is the source's own id for this delivery (the same
    on a redelivery), so a payload delivered twice is kept once."""
    records = [
        IntakeRecord(
            source=source,
            account=account,
            dedupe_key=f"{source}:{account}:{delivery_id}:{event.event_id}",
            workflow_id=event.workflow_id,
            event_id=event.event_id,
            event_json=event.model_dump_json().encode(),
        )
        for event in events
    ]
    added = store.intake_inbox.add_all(records, now)
    return added, len(events) - added


def keep_refusal(
    store: Store, source: str, account: str, refused: IntakeRefused, raw: bytes, now: datetime
) -> int:
    """The dead letter's id (the same payload again: the same letter, counted)."""
    return store.dead_letters.keep(source, account, refused.reason, raw, refused.priority, now)
