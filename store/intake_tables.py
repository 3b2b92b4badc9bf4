"""The intake's tables (docs/intake.md): the inbox, the dead letters, the tracking codes
linked to their orders and the returns watchers' cursors. On Herald's one ``Base``
(store/tables.py); the schema itself is owned by Alembic (store/migrations)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.tables import Base, UtcDateTime


class IntakeInboxRow(Base):
    """An order source's event, acknowledged to the source and waiting for the dispatcher
    to signal Temporal (store/intake_inbox.py). ``event`` is sealed: it holds contacts."""

    __tablename__ = "intake_inbox"
    # The dispatcher's scan: pending rows (no dispatched_at) whose next attempt is due.
    __table_args__ = (
        Index("ix_intake_inbox_pending", "dispatched_at", "next_attempt_at", "id"),
        Index("ix_intake_inbox_workflow_id", "workflow_id"),  # a later event's customer
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(40))
    account: Mapped[str] = mapped_column(String(100))
    # The source's delivery id (Shopify's X-Shopify-Webhook-Id): a redelivery is one row.
    dedupe_key: Mapped[str] = mapped_column(String(300), unique=True)
    workflow_id: Mapped[str] = mapped_column(String(200))
    event_id: Mapped[str] = mapped_column(String(200))
    event: Mapped[bytes] = mapped_column(LargeBinary)  # sealed canonical MilestoneEvent JSON
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Null: due now. Also the lease a dispatcher holds while it signals (claim_due).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class IntakeDeadLetterRow(Base):
    """A source payload the intake could not process, kept for a fix and a replay
    (store/dead_letters.py). ``payload`` is the sealed raw body."""

    __tablename__ = "intake_dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # sha256 hex of source, account and raw payload: the same failure is one row, counted.
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(40))
    account: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(Integer)  # higher first
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    count: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    replayed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    discarded_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class TrackedShipmentRow(Base):
    """A carrier's tracking code and the order it ships (store/tracked_shipments.py): a
    tracker webhook names only the code. ``carrier`` is a lower-case key ('' unknown)."""

    __tablename__ = "tracked_shipments"
    __table_args__ = (
        UniqueConstraint("tracking_code", "carrier"),
        Index("ix_tracked_shipments_workflow_id", "workflow_id"),  # an order's shipments
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    carrier: Mapped[str] = mapped_column(String(60))
    tracking_code: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(100))
    workflow_id: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(40))  # the intake source that named it first
    account: Mapped[str] = mapped_column(String(100))
    merchant: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # Set once an EasyPost tracker follows this code (the poller creates one, or its webhook
    # names it): one tracker per code, so unique.
    easypost_tracker_id: Mapped[str | None] = mapped_column(String(100), nullable=True, unique=True)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class IntakeCursorRow(Base):
    """How far a watcher has read a source it polls (a retailer's returns table), and which
    replica reads it now (store/intake_cursors.py). Also the watcher's health: when it last
    read to the end and its last error."""

    __tablename__ = "intake_cursors"

    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    account: Mapped[str] = mapped_column(String(100), primary_key=True)
    # The last row read, in the source's (updated_at, id) order; null: nothing read yet.
    position_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    position_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    holder: Mapped[str | None] = mapped_column(String(200), nullable=True)  # a replica's id
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    caught_up_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    rows_read: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # in a row
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_error_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
