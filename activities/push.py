"""Send one push notification.

Idempotency: the outbox row per message key, and the push provider's own idempotency key
(the same message key), so a retry after a crash mid-call is a no-op at the provider.
"""

from __future__ import annotations

import asyncio

from pydantic import BaseModel
from temporalio import activity

from activities.delivery import (
    MessageIdentity,
    as_activity_error,
    new_outbox_message,
    rejected,
    utcnow,
)
from domain.events import MilestoneEvent
from domain.timeline import Channel
from messaging.render import RenderError, render_message
from providers.errors import ProviderError
from providers.push import PushProvider
from store.repository import Store
from store.tables import OutboxState


class SendPushInput(BaseModel):
    identity: MessageIdentity
    event: MilestoneEvent


class PushSent(BaseModel):
    provider_message_id: str
    title: str
    text: str
    deduplicated: bool


class PushActivities:
    def __init__(self, store: Store, push: PushProvider) -> None:
        self._store = store
        self._push = push

    @activity.defn(name="send_push")
    async def send_push(self, request: SendPushInput) -> PushSent:
        token = request.event.customer.push_token
        if not token:
            raise rejected("no-token", "the customer has no push token")
        try:
            rendered = render_message(request.event, Channel.PUSH)
        except RenderError as exc:
            raise rejected("render", str(exc)) from exc
        title = rendered.subject or ""
        key = request.identity.message_key
        message = new_outbox_message(request.identity, token, rendered.text, subject=title)
        entry = await asyncio.to_thread(self._store.outbox.claim, message, utcnow(), calling=True)
        if entry.outbox_state == OutboxState.SENT and entry.provider_message_id:
            return PushSent(
                provider_message_id=entry.provider_message_id,
                title=title,
                text=rendered.text,
                deduplicated=True,
            )
        if entry.outbox_state == OutboxState.FAILED:
            raise rejected(entry.error_code, f"the push provider refused {key} earlier")
        data = {
            "workflow_id": request.identity.workflow_id,
            "milestone": request.identity.milestone,
        }
        try:
            provider_id = await self._push.send(token, title, rendered.text, data, key)
        except ProviderError as error:
            if not error.retryable:
                await asyncio.to_thread(
                    self._store.outbox.fail, key, error.code, str(error), utcnow()
                )
            raise as_activity_error(error) from error
        await asyncio.to_thread(self._store.outbox.complete, key, provider_id, utcnow())
        return PushSent(
            provider_message_id=provider_id, title=title, text=rendered.text, deduplicated=False
        )
