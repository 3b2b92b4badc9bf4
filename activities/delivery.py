"""What every send activity shares: the outbox row's identity and error translation."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.events import MilestoneEvent
from domain.milestones import Kind, Milestone
from domain.timeline import Channel
from messaging.render import RenderedMessage, RenderError, render_message
from providers.errors import ProviderError
from store.outbox import NewMessage, OutboxEntry
from store.repository import Store
from store.tables import OutboxState

REJECTED = "DeliveryRejected"  # the provider refused for good: non-retryable
UNAVAILABLE = "ProviderUnavailable"  # try again with the activity's back-off
SENDER_BUSY = "SenderBusy"  # the sender's limit: the workflow waits, then asks again
# An earlier call may still reach the provider: not a provider try, so the workflow waits
# (a durable timer) and looks again, without spending one of the SMS's attempts.
AWAITING_PROVIDER = "AwaitingProvider"
OPTED_OUT = "opted-out"  # a REJECTED code: the number replied STOP


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
    locale: str | None = None  # the customer's: replies to this SMS are answered in it


def new_outbox_message(
    identity: MessageIdentity,
    recipient: str,
    body: str,
    *,
    subject: str | None = None,
    encoding: str | None = None,
    segments: int | None = None,
    estimated_cost_usd: Decimal | None = None,
    awaits_report: bool = False,
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
        locale=identity.locale,
        awaits_report=awaits_report,
    )


def _detail(code: str | None, message: str) -> dict[str, object]:
    """What the workflow shows support: the provider's code, its words, which attempt."""
    attempt = activity.info().attempt if activity.in_activity() else None
    return {"code": code, "message": message, "attempt": attempt}


def render_or_reject(event: MilestoneEvent, channel: Channel) -> RenderedMessage:
    """The message for ``channel``; a template that cannot render is a permanent refusal."""
    try:
        return render_message(event, channel)
    except RenderError as exc:
        raise rejected("render", str(exc)) from exc


def rejected(code: str | None, message: str) -> ApplicationError:
    return ApplicationError(message, _detail(code, message), type=REJECTED, non_retryable=True)


def sender_busy(retry_at_epoch: float, refusal: str) -> ApplicationError:
    message = f"sender at its limit ({refusal}): ask again at {retry_at_epoch:.3f}"
    detail = {"code": refusal, "message": message, "retry_at": retry_at_epoch}
    return ApplicationError(message, detail, type=SENDER_BUSY, non_retryable=True)


def awaiting_provider(retry_at_epoch: float, message: str, provider_calls: int) -> ApplicationError:
    """The look-up after an unanswered call found nothing yet and the provider may still
    take that call's message: look again at ``retry_at``. ``provider_calls``: the calls
    made for this message so far (the outbox row's count), which are the attempts spent."""
    detail = {
        "code": "awaiting-provider",
        "message": message,
        "retry_at": retry_at_epoch,
        "provider_calls": provider_calls,
    }
    return ApplicationError(message, detail, type=AWAITING_PROVIDER, non_retryable=True)


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


Adopt = Callable[[OutboxEntry], Awaitable[str | None]]
Complete = Callable[[str], None]  # records the provider's id; blocking, run in a thread


@dataclass(frozen=True)
class Delivered:
    provider_message_id: str
    provider_calls: int
    deduplicated: bool  # True: no new provider call, an earlier one already had it


async def send_once(
    store: Store,
    message: NewMessage,
    send: Callable[[], Awaitable[str]],
    *,
    adopt: Adopt | None = None,
    complete: Complete | None = None,
) -> Delivered:
    """Call the provider at most once per message key, however often this is retried.

    The outbox row is claimed (with the call recorded) before ``send``; a completed row
    returns its provider id; a refused one stays refused. When an earlier attempt may have
    reached the provider, ``adopt`` can find the message it made and return its id.
    ``complete`` records a new call's provider id (the outbox row at least), for a caller
    with more to write in the same thread hop.
    """
    key, outbox = message.message_key, store.outbox
    entry = await asyncio.to_thread(outbox.claim, message, utcnow(), calling=True)
    if entry.outbox_state == OutboxState.SENT and entry.provider_message_id:
        return Delivered(entry.provider_message_id, entry.provider_calls, deduplicated=True)
    if entry.outbox_state == OutboxState.FAILED:
        raise rejected(entry.error_code, f"the provider refused {key} earlier")
    if not entry.claimed_now:
        adopted = await adopt(entry) if adopt and entry.provider_calls else None
        if adopted is not None:
            await asyncio.to_thread(outbox.complete, key, adopted, utcnow())
            return Delivered(adopted, entry.provider_calls, deduplicated=True)
        await asyncio.to_thread(outbox.mark_calling, key, utcnow())
    try:
        provider_id = await send()
    except ProviderError as error:
        if not error.retryable:
            await asyncio.to_thread(outbox.fail, key, error.code, str(error), utcnow())
        raise as_activity_error(error) from error
    if complete is None:
        await asyncio.to_thread(outbox.complete, key, provider_id, utcnow())
    else:
        await asyncio.to_thread(complete, provider_id)
    calls = entry.provider_calls + (0 if entry.claimed_now else 1)
    return Delivered(provider_id, calls, deduplicated=False)
