"""What every source's route does once it has read a payload: the events into the inbox
(acknowledged once they are there) with the tracking codes they name, or the payload into
the dead letters; counted here, on the write path, for the intake's metrics
(observability/intake_metrics.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection

from domain.events import MilestoneEvent
from intake.source import IntakeRefused
from observability.intake_metrics import INTAKE_EVENTS
from store.intake_inbox import IntakeRecord
from store.repository import Store
from store.tracked_shipments import ShipmentLink


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
    with store.engine.begin() as connection:
        return keep_events_in(connection, store, source, account, delivery_id, events, now)


def keep_events_in(
    connection: Connection,
    store: Store,
    source: str,
    account: str,
    delivery_id: str,
    events: Sequence[MilestoneEvent],
    now: datetime,
) -> tuple[int, int]:
    """``keep_events`` in the caller's transaction (a watcher's cursor moves with it)."""
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
    # In the same transaction: a tracker's report that follows finds the order exactly
    # when the event naming its tracking code was acknowledged.
    added = store.intake_inbox.add_all_in(connection, records, now)
    store.tracked_shipments.record_in(connection, shipment_links(source, account, events), now)
    # Counted as written; a watcher's page rolled back (its lease lost) counts again when
    # the next holder reads it, which is rare and only inflates the count.
    INTAKE_EVENTS.labels(source, account, "accepted").inc(added)
    INTAKE_EVENTS.labels(source, account, "duplicate").inc(len(events) - added)
    return added, len(events) - added


def shipment_links(
    source: str, account: str, events: Sequence[MilestoneEvent]
) -> list[ShipmentLink]:
    """The tracking codes these events name, each linked to its order."""
    return [
        ShipmentLink.of(
            tracking_code=event.shipment.tracking_id,
            carrier=event.shipment.carrier,
            kind=event.kind.value,
            reference=event.reference,
            workflow_id=event.workflow_id,
            source=source,
            account=account,
            merchant=event.merchant,
        )
        for event in events
        if event.shipment is not None and event.shipment.tracking_id
    ]


def keep_refusal(
    store: Store, source: str, account: str, refused: IntakeRefused, raw: bytes, now: datetime
) -> int:
    """The dead letter's id (the same payload again: the same letter, counted)."""
    with store.engine.begin() as connection:
        return keep_refusal_in(connection, store, source, account, refused, raw, now)


def keep_refusal_in(
    connection: Connection,
    store: Store,
    source: str,
    account: str,
    refused: IntakeRefused,
    raw: bytes,
    now: datetime,
) -> int:
    """``keep_refusal`` in the caller's transaction."""
    kept = store.dead_letters.keep_in(
        connection, source, account, refused.reason, raw, refused.priority, now
    )
    INTAKE_EVENTS.labels(source, account, "refused").inc()
    return kept
