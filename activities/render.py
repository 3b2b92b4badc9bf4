"""Render one milestone's message for one channel."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.events import MilestoneEvent
from domain.timeline import Channel
from messaging.render import RenderedMessage, RenderError, render_message
from store.repository import Store


class RenderInput(BaseModel):
    event: MilestoneEvent
    channel: Channel


class RenderActivities:
    def __init__(self, store: Store) -> None:
        self._store = store

    @activity.defn(name="render_message")
    async def render(self, request: RenderInput) -> RenderedMessage:
        # Idempotent: a pure function of its input and the template files (plus one read:
        # whether this number has had an SMS from the brand, for the opt-out wording).
        event, channel = request.event, request.channel
        try:
            if channel is Channel.SMS:
                return await asyncio.to_thread(render_sms, self._store, event)
            return render_message(event, channel)
        except RenderError as exc:
            # A broken template stays broken on retry: tell the workflow at once.
            raise ApplicationError(str(exc), type="RenderFailed", non_retryable=True) from exc


def render_sms(store: Store, event: MilestoneEvent) -> RenderedMessage:
    """The event's SMS; the first one to a number carries the opt-out wording. Blocking."""
    phone = event.customer.phone
    first_sms = bool(phone) and not store.outbox.has_sent_to(phone, Channel.SMS.value)
    return render_message(event, Channel.SMS, first_sms_to_number=first_sms)
