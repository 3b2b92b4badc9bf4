"""The message records of an order's history: their keys, identities and statuses.

Owns how a message is named (its key, stable across retries and continue-as-new, is the
outbox's key: the reason a retried send never sends twice), how its status changes (a
status the workflow decides also goes to the store; the provider's own reach the store
through the HTTP service), and how an activity's failure reads on the record.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.delivery import AWAITING_PROVIDER, REJECTED, SENDER_BUSY, MessageIdentity
    from activities.record import DecidedStatus
    from domain.events import MilestoneEvent
    from domain.timeline import Channel, DeliveryStatus, MessageRecord, StatusChange
    from workflows.run_context import RunContext


def message_key(
    ctx: RunContext, event: MilestoneEvent, channel: Channel, occurrence: int | None = None
) -> str:
    """``<workflow id>:<milestone>:<occurrence>:<channel>``: one per message, forever."""
    occurrence = occurrence or ctx.state.occurrences.get(event.milestone.value, 1)
    return f"{ctx.workflow_id}:{event.milestone.value}:{occurrence}:{channel.value}"


def new_record(
    ctx: RunContext,
    event: MilestoneEvent,
    channel: Channel,
    recipient: str,
    occurrence: int | None = None,
) -> MessageRecord:
    """A message about ``event``, added to the history; ``recipient`` is masked."""
    record = _record(ctx, event, channel, recipient, occurrence)
    ctx.history.messages.append(record)
    return record


def _record(
    ctx: RunContext,
    event: MilestoneEvent,
    channel: Channel,
    recipient: str,
    occurrence: int | None,
) -> MessageRecord:
    return MessageRecord(
        message_key=message_key(ctx, event, channel, occurrence),
        milestone=event.milestone,
        channel=channel,
        recipient=recipient,
        body="",
    )


def identity(ctx: RunContext, record: MessageRecord, event: MilestoneEvent) -> MessageIdentity:
    return MessageIdentity(
        message_key=record.message_key,
        workflow_id=ctx.workflow_id,
        kind=event.kind,
        reference=event.reference,
        milestone=event.milestone,
        channel=record.channel,
        attempt=record.attempt,
        recipient_masked=record.recipient,
        locale=event.customer.locale,
    )


def unrecorded_identity(
    ctx: RunContext, event: MilestoneEvent, channel: Channel, recipient: str, occurrence: int
) -> MessageIdentity:
    """The identity of a message whose record is made only once it is sent."""
    return identity(ctx, _record(ctx, event, channel, recipient, occurrence), event)


def message(ctx: RunContext, key: str) -> MessageRecord:
    return next(m for m in ctx.history.messages if m.message_key == key)


def message_by_provider_id(ctx: RunContext, provider_id: str) -> MessageRecord | None:
    return next((m for m in ctx.history.messages if m.provider_message_id == provider_id), None)


def set_status(
    ctx: RunContext,
    record: MessageRecord,
    status: DeliveryStatus,
    *,
    detail: str | None = None,
    code: str | None = None,
    decided: bool = False,
    at: datetime | None = None,
) -> None:
    """``decided``: the workflow decided it (a failure, no report in time), so the store
    hears of it from here; the provider's statuses reach it through the HTTP service."""
    change = StatusChange(status=status, at=at or workflow.now(), error_code=code, detail=detail)
    record.status = status
    record.statuses.append(change)
    if decided:
        ctx.decided.append(DecidedStatus(message_key=record.message_key, change=change))


def fail(
    ctx: RunContext,
    record: MessageRecord,
    err: ActivityError,
    *,
    attempts_before: int = 0,
) -> None:
    """The record failed as the activity's error says; ``attempts_before``: provider calls
    made before this activity (by the deciding send)."""
    detail = error_detail(err)
    code = str(detail["code"]) if detail.get("code") else None
    text = str(detail.get("message") or error_text(err))
    attempts = int(str(detail.get("attempt") or 0)) + attempts_before
    fail_with(ctx, record, code, text, attempts)


def fail_with(
    ctx: RunContext, record: MessageRecord, code: str | None, text: str, attempts: int
) -> None:
    record.error_code, record.error_message = code, text
    record.provider_calls = max(record.provider_calls, attempts)
    set_status(ctx, record, DeliveryStatus.FAILED, detail=text, code=code, decided=True)


# ---- an activity's error, as the workflow reads it -----------------------------------------


def is_rejection(outcome: object) -> bool:
    """A refusal that retrying cannot change (a slot taken, an unknown order)."""
    cause = outcome.cause if isinstance(outcome, ActivityError) else None
    return isinstance(cause, ApplicationError) and cause.type == REJECTED


def sender_busy_until(err: ActivityError) -> float | None:
    """When the sender may send again, if the send was refused only for its limit."""
    cause = err.cause
    if isinstance(cause, ApplicationError) and cause.type == SENDER_BUSY:
        retry_at = error_detail(err).get("retry_at")
        return float(str(retry_at)) if retry_at is not None else None
    return None


def awaiting_provider(err: ActivityError) -> tuple[float, int] | None:
    """When to look for an unanswered call's message again, and the provider calls made
    so far, if the send only waited for the provider's acceptance window."""
    cause = err.cause
    if not isinstance(cause, ApplicationError) or cause.type != AWAITING_PROVIDER:
        return None
    detail = error_detail(err)
    retry_at = float(str(detail.get("retry_at") or workflow.now().timestamp()))
    return retry_at, int(str(detail.get("provider_calls") or 0))


def error_detail(err: ActivityError) -> dict[str, object]:
    cause = err.cause
    if isinstance(cause, ApplicationError) and cause.details and isinstance(cause.details[0], dict):
        return cause.details[0]
    return {}


def error_text(err: ActivityError) -> str:
    cause = err.cause
    return cause.message if isinstance(cause, ApplicationError) else str(cause or err)
