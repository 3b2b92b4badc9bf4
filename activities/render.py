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
        first_sms = False
        if channel is Channel.SMS and event.customer.phone:
            has_had_one = await asyncio.to_thread(
                self._store.outbox.has_sent_to, event.customer.phone, Channel.SMS.value
            )
            first_sms = not has_had_one
        try:
            return render_message(event, channel, first_sms_to_number=first_sms)
        except RenderError as exc:
            # A broken template stays broken on retry: tell the workflow at once.
            raise ApplicationError(str(exc), type="RenderFailed", non_retryable=True) from exc
