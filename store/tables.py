"""Herald's tables. The schema itself is owned by Alembic (store/migrations)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import (
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite would otherwise hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class OutboxState:
    """Where a send stands in the outbox (``messages.outbox_state``)."""

    STARTED = "started"  # row written, the provider may or may not have been called
    SENT = "sent"  # the provider accepted it: never call the provider again for this key
    FAILED = "failed"  # the provider refused it for good


class MessageRow(Base):
    """One message on one channel: the send outbox and the support timeline in one row.

    ``message_key`` (workflow id, milestone, channel, attempt) is stable across
    continue-as-new and worker restarts, which is what makes sends idempotent.
    """

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_key: Mapped[str] = mapped_column(String(300), unique=True)
    workflow_id: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(100))
    milestone: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    recipient_masked: Mapped[str] = mapped_column(String(320))
    recipient_hash: Mapped[str] = mapped_column(String(64), index=True)
    subject: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    outbox_state: Mapped[str] = mapped_column(String(20), default=OutboxState.STARTED)
    delivery_status: Mapped[str] = mapped_column(String(20), default="pending")
    provider_message_id: Mapped[str | None] = mapped_column(String(100), index=True)
    provider_calls: Mapped[int] = mapped_column(Integer, default=0)
    error_code: Mapped[str | None] = mapped_column(String(40))
    error_message: Mapped[str | None] = mapped_column(Text)
    encoding: Mapped[str | None] = mapped_column(String(10))
    segments: Mapped[int | None] = mapped_column(Integer)
    estimated_cost_usd: Mapped[Decimal | None] = mapped_column(Numeric(12, 5))
    locale: Mapped[str | None] = mapped_column(String(35))  # the customer's, for replies
    # The first final delivery report (delivered, undelivered, failed), kept apart from
    # delivery_status, which follows every callback in whatever order they come.
    final_status: Mapped[str | None] = mapped_column(String(20))
    final_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The task token of the send activity waiting for that report, if one is (see
    # store/statuses.py): the HTTP service completes it instead of signalling the workflow.
    report_waiter: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    provider_called_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class MessageStatusRow(Base):
    """Every status a message went through, as the provider or the workflow reported it."""

    __tablename__ = "message_statuses"
    __table_args__ = (Index("ix_message_statuses_message_id", "message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))
    error_code: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The same report again (a provider retry, a replayed callback): counted here, since
    # a row per replay would let anyone holding one signed callback grow the table.
    repeats: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class TimelineRow(Base):
    """Decisions that are not messages: duplicates ignored, malformed signals, fallbacks."""

    __tablename__ = "timeline_entries"
    __table_args__ = (Index("ix_timeline_entries_workflow_id_at", "workflow_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_key: Mapped[str] = mapped_column(String(300), unique=True)  # makes retries no-ops
    workflow_id: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(40))
    milestone: Mapped[str | None] = mapped_column(String(40))
    event_id: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="")


class SenderPacingRow(Base):
    """The next free send slot of one sender, shared by every worker process."""

    __tablename__ = "sender_pacing"

    sender: Mapped[str] = mapped_column(String(100), primary_key=True)
    next_slot_at: Mapped[float] = mapped_column(Float)  # epoch seconds: exact on every backend


# ---- send policy: consent, preferences, sender limits (issue #4) ----------------------------


class SmsConsentRow(Base):
    """Whether a phone number may be texted by the brand: the latest word the number gave."""

    __tablename__ = "sms_consent"

    recipient_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # never the number
    state: Mapped[str] = mapped_column(String(20))  # opted_in / opted_out
    keyword: Mapped[str | None] = mapped_column(String(40))  # STOP, ARRET, START...
    source: Mapped[str] = mapped_column(String(40))  # sms_reply, api, cli, import
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SmsConsentEventRow(Base):
    """Every consent change as it came in: the audit trail a carrier or regulator asks for."""

    __tablename__ = "sms_consent_events"
    __table_args__ = (
        Index(
            "ux_sms_consent_events_change",
            "recipient_hash",
            "occurred_at",
            "state",
            unique=True,  # a retried webhook or command records nothing twice
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recipient_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(20))
    keyword: Mapped[str | None] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)


class NotificationPreferenceRow(Base):
    """A customer's choice for one notification type on one channel (absent: on)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (
        Index(
            "ux_notification_preferences_choice",
            "customer_hash",
            "notification_type",
            "channel",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_hash: Mapped[str] = mapped_column(String(64))  # recipient_hash of phone or e-mail
    notification_type: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))
    enabled: Mapped[bool] = mapped_column()
    source: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SenderSendSlotRow(Base):
    """One of a sender's N send permits per window: reusable once its last use is a window old.

    N rows per sender enforce "at most N sends in any window" exactly, across processes,
    with one conditional UPDATE per send and nothing to clean up.
    """

    __tablename__ = "sender_send_slots"

    sender: Mapped[str] = mapped_column(String(100), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_used_at: Mapped[float] = mapped_column(Float)  # epoch seconds


class SenderDailyCountRow(Base):
    """Sends per sender per UTC day, against the carrier's daily cap."""

    __tablename__ = "sender_daily_counts"

    sender: Mapped[str] = mapped_column(String(100), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD, UTC
    sent: Mapped[int] = mapped_column(Integer)


class SenderBackPressureRow(Base):
    """A sender the provider asked to slow down: its rate factor and until when."""

    __tablename__ = "sender_back_pressure"

    sender: Mapped[str] = mapped_column(String(100), primary_key=True)
    rate_factor: Mapped[float] = mapped_column(Float)  # 1.0: full rate
    slowed_until: Mapped[float] = mapped_column(Float)  # epoch seconds
    reported_at: Mapped[float] = mapped_column(Float)  # the last report, epoch seconds
    reports: Mapped[int] = mapped_column(Integer)


# ---- two-way (issue #5) ---------------------------------------------------------------------


class ReplyQuestionRow(Base):
    """A "which one?" question texted to a number, awaiting its numbered answer. In the
    store, so the answer may reach any replica of the HTTP service."""

    __tablename__ = "reply_questions"

    phone_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    question: Mapped[str] = mapped_column(Text)  # JSON: the options and the reply that asked
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


# ---- observability (issue #14) --------------------------------------------------------------


class MessageFactsRow(Base):
    """What the KPIs need of a message beyond its outbox row: which event it answered, for
    which merchant and country, through which provider, whether it replaced a failed SMS,
    and (e-mail) whether it was opened. Written by the send activities, one per key."""

    __tablename__ = "message_facts"
    __table_args__ = (Index("ix_message_facts_event", "workflow_id", "event_id"),)

    message_key: Mapped[str] = mapped_column(String(300), primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(200))
    event_id: Mapped[str] = mapped_column(String(200))
    event_occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    merchant: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166 of the destination
    provider: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))
    fallback_of: Mapped[str | None] = mapped_column(String(300))  # the SMS it replaced
    fallback_reason: Mapped[str | None] = mapped_column(String(40))
    open_tracked: Mapped[bool] = mapped_column(default=False)
    opened_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


# ---- routing between SMS providers (issue #17) ----------------------------------------------


class RouteStatsRow(Base):
    """What Herald measured on one provider's route to one country: exponentially decayed
    sums (routing/estimates.py), as of ``updated_at``."""

    __tablename__ = "route_stats"

    provider: Mapped[str] = mapped_column(String(20), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    delivered: Mapped[float] = mapped_column(Float)
    failed: Mapped[float] = mapped_column(Float)
    seconds_sum: Mapped[float] = mapped_column(Float)
    seconds_weight: Mapped[float] = mapped_column(Float)
    cost_sum: Mapped[float] = mapped_column(Float)
    cost_weight: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RouteBreakerRow(Base):
    """The circuit breaker of one provider's route to one country (routing/breaker.py)."""

    __tablename__ = "route_breakers"

    provider: Mapped[str] = mapped_column(String(20), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    mode: Mapped[str] = mapped_column(String(10))
    failures: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    probed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class MessagePartRow(Base):
    """One part of a message as its provider reports it (Vonage reports each part of a long
    message on its own). The send registers the parts it was given (``expected``); a report
    that beats it is kept and counted once the send registers."""

    __tablename__ = "message_parts"
    __table_args__ = (Index("ix_message_parts_message_key", "message_key"),)

    provider: Mapped[str] = mapped_column(String(20), primary_key=True)
    part_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    message_key: Mapped[str] = mapped_column(String(300))
    position: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: not expected yet
    status: Mapped[str] = mapped_column(String(20))
    error_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    sequence: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class MessageRouteRow(Base):
    """The route an SMS took: chosen once (a retried send keeps it), with its reason, the
    provider that took it, and whether its outcome has been counted in ``route_stats``."""

    __tablename__ = "message_routes"

    message_key: Mapped[str] = mapped_column(String(300), primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    route_order: Mapped[str] = mapped_column(String(100))  # providers, comma separated
    reason: Mapped[str] = mapped_column(Text)
    scores: Mapped[str] = mapped_column(Text)  # JSON, for support
    provider: Mapped[str | None] = mapped_column(String(20), nullable=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    cost_usd: Mapped[Decimal | None] = mapped_column(Numeric(10, 6), nullable=True)
    counted: Mapped[int] = mapped_column(Integer, default=0)  # 1: outcome in route_stats


class InboundPartRow(Base):
    """One webhook's part of a customer's long text (Vonage delivers each part on its own),
    kept until the text is whole or its wait is over (store/inbound_parts.py)."""

    __tablename__ = "inbound_parts"
    __table_args__ = (Index("ix_inbound_parts_received_at", "received_at"),)

    provider: Mapped[str] = mapped_column(String(20), primary_key=True)
    sender: Mapped[str] = mapped_column(String(32), primary_key=True)
    concat_ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    part: Mapped[int] = mapped_column(Integer, primary_key=True)
    total: Mapped[int] = mapped_column(Integer)
    provider_message_id: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
