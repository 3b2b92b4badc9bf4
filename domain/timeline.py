"""An order's messaging timeline: what the history query returns and the store keeps.

Recipients are masked before they enter any of these models: they end up in workflow
history, the Web UI and the store, none of which need a number that can be texted.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, Field

from domain.milestones import Kind, Milestone


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    PUSH = "push"


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # decided, not yet accepted by the provider
    ACCEPTED = "accepted"  # the provider took it (Twilio: queued)
    SENT = "sent"  # handed to the carrier
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"  # refused by the provider, or retries exhausted
    NO_REPORT = "no_report"  # no final delivery report in time

    @property
    def is_final(self) -> bool:
        return self in _FINAL

    @property
    def is_failure(self) -> bool:
        return self in _FAILURES


_FINAL = frozenset(
    {
        DeliveryStatus.DELIVERED,
        DeliveryStatus.UNDELIVERED,
        DeliveryStatus.FAILED,
        DeliveryStatus.NO_REPORT,
    }
)
_FAILURES = frozenset({DeliveryStatus.UNDELIVERED, DeliveryStatus.FAILED, DeliveryStatus.NO_REPORT})


class NotificationState(StrEnum):
    """One word for ops to filter on (a search attribute)."""

    WAITING = "waiting"  # nothing in flight, waiting for the next milestone
    SENDING = "sending"
    AWAITING_REPORT = "awaiting_report"
    HELD = "held"  # a message waits for the send policy's window
    DELIVERED = "delivered"
    FELL_BACK = "fell_back"  # SMS failed, another channel took over
    FAILED = "failed"  # no channel reached the customer
    COMPLETED = "completed"


class StatusChange(BaseModel):
    status: DeliveryStatus
    at: datetime
    error_code: str | None = None
    detail: str | None = None


class MessageRecord(BaseModel):
    message_key: str  # workflow id, milestone, channel and attempt: stable across runs
    milestone: Milestone
    channel: Channel
    attempt: int = 1
    recipient: str  # masked
    subject: str | None = None
    body: str
    provider_message_id: str | None = None
    status: DeliveryStatus = DeliveryStatus.PENDING
    statuses: list[StatusChange] = Field(default_factory=list)
    provider_calls: int = 0
    error_code: str | None = None
    error_message: str | None = None
    encoding: str | None = None
    segments: int | None = None
    estimated_cost_usd: Decimal | None = None
    purpose: str | None = None  # a conversation reply: slot_offer, callback_promise...
    provider: str | None = None  # the SMS provider that took it (None: before routing)
    route_reason: str | None = None  # why routing chose that provider
    route_order: list[str] = Field(default_factory=list)  # the providers in routing's order


class EntryKind(StrEnum):
    MILESTONE_RECEIVED = "milestone_received"
    DUPLICATE_IGNORED = "duplicate_ignored"
    STALE_IGNORED = "stale_ignored"
    MALFORMED_SIGNAL = "malformed_signal"
    NO_CHANNEL = "no_channel"
    RENDER_FAILED = "render_failed"
    THROTTLED = "throttled"
    HELD = "held"  # the send policy holds it (quiet hours, waiting for newer news)
    MERGED = "merged"  # another message carries the news
    SUPPRESSED = "suppressed"  # not sent: a duplicate, consent, a preference, a cap
    FALLBACK = "fallback"
    FAILOVER = "failover"  # the SMS failed through one provider: the next one sends it
    UNMATCHED_REPORT = "unmatched_report"
    CONTINUED_AS_NEW = "continued_as_new"
    REPLY_RECEIVED = "reply_received"  # the customer texted back
    REPLY_IGNORED = "reply_ignored"  # nothing to do (consent keywords are the webhook's)
    SLOTS_OFFERED = "slots_offered"
    RESCHEDULED = "rescheduled"  # a delivery slot booked with the OMS
    CALLBACK_REQUESTED = "callback_requested"
    SUPPORT_ALERTED = "support_alerted"  # a reply or a delivery exception passed to support
    CONVERSATION_FAILED = "conversation_failed"  # the OMS or support could not be reached


class TimelineEntry(BaseModel):
    entry_id: str | None = None  # made by the workflow (deterministic): the store's dedup key
    at: datetime
    kind: EntryKind
    milestone: Milestone | None = None
    event_id: str | None = None
    detail: str = ""


class MessagingHistory(BaseModel):
    """The ``history`` query's answer: everything support needs about one order."""

    workflow_id: str
    kind: Kind
    reference: str
    last_milestone: Milestone | None = None
    state: NotificationState = NotificationState.WAITING
    messages: list[MessageRecord] = Field(default_factory=list)
    entries: list[TimelineEntry] = Field(default_factory=list)


class DeliveryReport(BaseModel):
    """The ``delivery_report`` signal's input: one provider status callback."""

    provider_message_id: str = Field(min_length=1)
    status: str  # the provider's word: queued, sent, delivered, undelivered, failed...
    error_code: str | None = None
    occurred_at: datetime
    message_key: str | None = None  # ours, echoed in the callback URL


def delivery_status_from_twilio(status: str) -> DeliveryStatus | None:
    """Twilio's MessageStatus in Herald's words; None for states that change nothing."""
    return _TWILIO_STATUS.get(status.lower())


_TWILIO_STATUS: dict[str, DeliveryStatus] = {
    "accepted": DeliveryStatus.ACCEPTED,
    "queued": DeliveryStatus.ACCEPTED,
    "sending": DeliveryStatus.ACCEPTED,
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.DELIVERED,
    "undelivered": DeliveryStatus.UNDELIVERED,
    "failed": DeliveryStatus.FAILED,
    "canceled": DeliveryStatus.FAILED,
}
