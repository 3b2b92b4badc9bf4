"""What every send activity shares: the outbox row's identity and error translation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.milestones import Kind, Milestone
from domain.timeline import Channel
from providers.errors import ProviderError
from store.outbox import NewMessage

REJECTED = "DeliveryRejected"  # the provider refused for good: non-retryable
UNAVAILABLE = "ProviderUnavailable"  # try again with the activity's back-off


class MessageIdentity(BaseModel):
    """Who and what one message is. ``message_key`` is the outbox key."""

    message_key: str
    workflow_id: str
    kind: Kind
    reference: str
    milestone: Milestone
    channel: Channel
    attempt: int = 1
    recipient_masked: str


def new_outbox_message(
    identity: MessageIdentity,
    recipient: str,
    body: str,
    *,
    subject: str | None = None,
    encoding: str | None = None,
    segments: int | None = None,
    estimated_cost_usd: Decimal | None = None,
) -> NewMessage:
    return NewMessage(
        message_key=identity.message_key,
        workflow_id=identity.workflow_id,
        kind=identity.kind.value,
        reference=identity.reference,
        milestone=identity.milestone.value,
        channel=identity.channel.value,
        attempt=identity.attempt,
        recipient=recipient,
        recipient_masked=identity.recipient_masked,
        body=body,
        subject=subject,
        encoding=encoding,
        segments=segments,
        estimated_cost_usd=estimated_cost_usd,
    )


def _detail(code: str | None, message: str) -> dict[str, object]:
    """What the workflow shows support: the provider's code, its words, which attempt."""
    attempt = activity.info().attempt if activity.in_activity() else None
    return {"code": code, "message": message, "attempt": attempt}


def rejected(code: str | None, message: str) -> ApplicationError:
    return ApplicationError(message, _detail(code, message), type=REJECTED, non_retryable=True)


def as_activity_error(error: ProviderError) -> ApplicationError:
    if not error.retryable:
        return rejected(error.code, str(error))
    delay = timedelta(seconds=error.retry_after_seconds) if error.retry_after_seconds else None
    return ApplicationError(
        str(error),
        _detail(error.code, str(error)),
        type=UNAVAILABLE,
        next_retry_delay=delay,
    )


def utcnow() -> datetime:
    return datetime.now(UTC)
