"""Render one milestone's message for one channel."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel
from temporalio import activity
from temporalio.exceptions import ApplicationError

from config.conversation import ConversationSettings, get_conversation_settings
from config.messaging import get_messaging_settings
from conversation.exception_wording import EXCEPTION_MILESTONES, facts_from_event, word_exception
from domain.events import MilestoneEvent
from domain.timeline import Channel
from messaging.brand import default_brand
from messaging.render import RenderedMessage, RenderError, render_message, sms_from_text
from providers.language_model import ChatCompletions
from store.repository import Store


class RenderInput(BaseModel):
    event: MilestoneEvent
    channel: Channel


class RenderActivities:
    def __init__(
        self,
        store: Store,
        language_model: ChatCompletions | None = None,
        conversation: ConversationSettings | None = None,
    ) -> None:
        self._store = store
        self._language_model = language_model
        self._conversation = conversation or get_conversation_settings()

    @activity.defn(name="render_message")
    async def render(self, request: RenderInput) -> RenderedMessage:
        # Idempotent: a pure function of its input and the template files (plus one read:
        # whether this number has had an SMS from the brand, for the opt-out wording). The
        # optional model wording may differ on a retry; only the text actually sent counts.
        event, channel = request.event, request.channel
        first_sms = False
        if channel is Channel.SMS and event.customer.phone:
            has_had_one = await asyncio.to_thread(
                self._store.outbox.has_sent_to, event.customer.phone, Channel.SMS.value
            )
            first_sms = not has_had_one
        if channel is Channel.SMS and not first_sms:  # the first SMS needs the opt-out line
            worded = await self._model_wording(event)
            if worded is not None:
                return worded
        try:
            return render_message(event, channel, first_sms_to_number=first_sms)
        except RenderError as exc:
            # A broken template stays broken on retry: tell the workflow at once.
            raise ApplicationError(str(exc), type="RenderFailed", non_retryable=True) from exc

    async def _model_wording(self, event: MilestoneEvent) -> RenderedMessage | None:
        """A delivery exception worded by the language model, when it is on and its answer
        passes the guard rails; None sends the template."""
        if self._language_model is None or event.milestone not in EXCEPTION_MILESTONES:
            return None
        text = await word_exception(
            facts_from_event(event, default_brand()),
            self._language_model,
            max_segments=self._conversation.language_model_max_segments,
            fold_accents=get_messaging_settings().sms_fold_accents,
        )
        if text is None or not event.customer.phone:
            return None
        activity.logger.info("exception SMS for %s worded by the language model", event.reference)
        return sms_from_text(text, phone=event.customer.phone, locale=event.customer.locale)
