"""A milestone's SMS text, as the deciding send and the policy facts render it."""

from __future__ import annotations

import asyncio

from temporalio import activity

from config.conversation import ConversationSettings, get_conversation_settings
from config.messaging import get_messaging_settings
from conversation.exception_wording import EXCEPTION_MILESTONES, facts_from_event, word_exception
from domain.events import MilestoneEvent
from domain.timeline import Channel
from messaging.brand import default_brand
from messaging.render import RenderedMessage, render_message, sms_from_text
from providers.language_model import ChatCompletions
from store.repository import Store


class SmsRenderer:
    """A milestone's SMS: its template (with the opt-out wording on the first SMS to a
    number), or, for a delivery exception when the language model is on, the model's
    wording if it passes the guard rails. Raises :class:`RenderError` for a broken template.

    Idempotent in effect: a pure function of the event, the templates and one read (has this
    number had an SMS?). The model's wording may differ on a retry; the outbox records the
    text actually sent.
    """

    def __init__(
        self,
        store: Store,
        language_model: ChatCompletions | None = None,
        conversation: ConversationSettings | None = None,
    ) -> None:
        self._store = store
        self._language_model = language_model
        self._conversation = conversation or get_conversation_settings()

    async def render(self, event: MilestoneEvent) -> RenderedMessage:
        return await self.reworded(event, *await asyncio.to_thread(self.template, event))

    def template(
        self, event: MilestoneEvent, *, had_sms: bool | None = None
    ) -> tuple[RenderedMessage, bool]:
        """The template's SMS and whether it is the first to the number. Blocking (one
        store read, unless ``had_sms`` says whether the number has had an SMS), so callers
        run it in a thread with their other store work."""
        phone = event.customer.phone
        if had_sms is None:
            had_sms = phone is not None and self._store.outbox.has_sent_to(phone, Channel.SMS.value)
        first_sms = phone is not None and not had_sms
        return render_message(event, Channel.SMS, first_sms_to_number=first_sms), first_sms

    async def reworded(
        self, event: MilestoneEvent, message: RenderedMessage, first_sms: bool
    ) -> RenderedMessage:
        """The model's wording instead, where it applies; the first SMS to a number keeps
        its template, which carries the opt-out line."""
        if first_sms:
            return message
        return await self._model_wording(event) or message

    async def _model_wording(self, event: MilestoneEvent) -> RenderedMessage | None:
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
