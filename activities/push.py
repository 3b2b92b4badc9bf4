"""Send one push notification.

Idempotency: the outbox row per message key (``send_once``), and the push provider's own
idempotency key (the same message key), so a retry after a crash mid-call is a no-op there.
"""

from __future__ import annotations

from pydantic import BaseModel
from temporalio import activity

from activities.delivery import (
    MessageIdentity,
    new_outbox_message,
    rejected,
    render_or_reject,
)
from activities.other_channel import send_other_channel
from domain.events import MilestoneEvent
from domain.timeline import Channel
from observability import sends as observe
from providers.push import PushProvider
from store.repository import Store


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
        rendered = render_or_reject(request.event, Channel.PUSH)
        title, identity = rendered.subject or "", request.identity
        message = new_outbox_message(identity, token, rendered.text, subject=title)
        data = {"workflow_id": identity.workflow_id, "milestone": identity.milestone.value}

        async def send() -> str:
            return await self._push.send(token, title, rendered.text, data, identity.message_key)

        delivered = await send_other_channel(
            self._store,
            identity,
            request.event,
            message,
            send,
            channel="push",
            provider=observe.PUSH_PROVIDER,
        )
        return PushSent(
            provider_message_id=delivered.provider_message_id,
            title=title,
            text=rendered.text,
            deduplicated=delivered.deduplicated,
        )
