"""Falling back to e-mail and push: after an SMS failed, or for a customer without a phone.

Owns what happens once an SMS is lost for good: refused by the provider, out of attempts,
reported "undelivered" or "failed", never reported within its deadline, or its text could
not be rendered (delivery_reports.py and sms_send.py call in here). The customer's other
channels are tried, within what the send policy allowed for that message, each with its
own durable retries; the order's state says whether the news got through.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

    from activities.delivery import REJECTED
    from activities.email import EmailSent, SendEmailInput
    from activities.push import PushSent, SendPushInput
    from domain.events import MilestoneEvent
    from domain.phone import mask_email
    from domain.timeline import (
        Channel,
        DeliveryStatus,
        EntryKind,
        MessageRecord,
        NotificationState,
    )
    from workflows import message_records as records
    from workflows import support_view
    from workflows.run_context import RunContext

ModelT = TypeVar("ModelT", bound=BaseModel)
OTHER_CHANNEL_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5),
    maximum_interval=timedelta(minutes=5),
    maximum_attempts=8,
    non_retryable_error_types=[REJECTED],
)


class Fallback:
    def __init__(self, ctx: RunContext) -> None:
        self._ctx = ctx

    async def after_failed_sms(
        self,
        event: MilestoneEvent,
        failed: MessageRecord,
        allowed: list[Channel] | None = None,
        occurrence: int | None = None,
    ) -> None:
        """E-mail and push after ``failed``; ``allowed``: what the send policy permits
        (None: every channel the customer has)."""
        channels = reachable(event, allowed)
        if not channels:
            self._ctx.note(
                EntryKind.NO_CHANNEL, f"SMS {failed.status.value}; no e-mail or push token", event
            )
            self._ctx.history.state = NotificationState.FAILED
            return
        reason = f"SMS {failed.status.value}" + (
            f" ({failed.error_code})" if failed.error_code else ""
        )
        self._ctx.note(
            EntryKind.FALLBACK, f"{reason}: falling back to {', '.join(channels)}", event
        )
        await self.send_other_channels(
            event, fallback=True, channels=channels, occurrence=occurrence
        )

    async def send_other_channels(
        self,
        event: MilestoneEvent,
        *,
        fallback: bool = False,
        channels: list[Channel] | None = None,
        occurrence: int | None = None,
    ) -> None:
        """E-mail and push, as the first choice (no phone, SMS not allowed) or a fallback."""
        customer, allowed = event.customer, reachable(event, channels)
        results: list[bool] = []
        if customer.email and Channel.EMAIL in allowed:
            results.append(await self._send_email(event, customer.email, occurrence))
        if customer.push_token and Channel.PUSH in allowed:
            results.append(await self._send_push(event, occurrence))
        if any(results):
            delivered = NotificationState.FELL_BACK if fallback else NotificationState.DELIVERED
            self._ctx.history.state = delivered
        else:
            self._ctx.history.state = NotificationState.FAILED

    async def _send_email(
        self, event: MilestoneEvent, address: str, occurrence: int | None
    ) -> bool:
        record = records.new_record(
            self._ctx, event, Channel.EMAIL, mask_email(address), occurrence
        )
        sent = await self._send_by_activity(
            record,
            "send_email",
            SendEmailInput(identity=records.identity(self._ctx, record, event), event=event),
            EmailSent,
            support_view.email_summary(event, record.recipient),
        )
        if sent is None:
            return False
        self._accepted(record, sent.subject, sent.text, sent.message_id, "the mail server")
        return True

    async def _send_push(self, event: MilestoneEvent, occurrence: int | None) -> bool:
        record = records.new_record(self._ctx, event, Channel.PUSH, "push token", occurrence)
        sent = await self._send_by_activity(
            record,
            "send_push",
            SendPushInput(identity=records.identity(self._ctx, record, event), event=event),
            PushSent,
            support_view.push_summary(event),
        )
        if sent is None:
            return False
        self._accepted(record, sent.title, sent.text, sent.provider_message_id, "the push provider")
        return True

    async def _send_by_activity(
        self,
        record: MessageRecord,
        activity_name: str,
        request: BaseModel,
        result_type: type[ModelT],
        summary: str,
    ) -> ModelT | None:
        """One send with its durable retries; None (the record failed) when the provider
        refused it or every retry failed. Each activity is idempotent by its message key."""
        try:
            return await workflow.execute_activity(
                activity_name,
                request,
                result_type=result_type,
                start_to_close_timeout=self._ctx.send_timeout,
                retry_policy=OTHER_CHANNEL_RETRY,
                summary=summary,
            )
        except ActivityError as err:
            records.fail(self._ctx, record, err)
            return None

    def _accepted(
        self, record: MessageRecord, subject: str, body: str, provider_id: str, by: str
    ) -> None:
        record.subject, record.body, record.provider_message_id = subject, body, provider_id
        record.provider_calls = 1
        records.set_status(self._ctx, record, DeliveryStatus.SENT, detail=f"accepted by {by}")


def reachable(event: MilestoneEvent, allowed: list[Channel] | None) -> list[Channel]:
    """E-mail and push where the customer has them (and, when given, the policy allows)."""
    customer = event.customer
    present = [
        channel
        for channel, contact in (
            (Channel.EMAIL, customer.email),
            (Channel.PUSH, customer.push_token),
        )
        if contact
    ]
    return present if allowed is None else [c for c in present if c in allowed]


def unmuted_others(event: MilestoneEvent, muted: list[Channel]) -> list[Channel]:
    """E-mail and push where the customer has them and has not turned them off."""
    return [c for c in reachable(event, None) if c not in muted]
