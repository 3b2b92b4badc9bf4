"""Twilio's inbound-message webhook: ``POST /twilio/inbound``, answered with TwiML.

1. ``X-Twilio-Signature`` is checked first (403 when wrong).
2. STOP, START and HELP go to the consent store before anything else, through the very
   handler behind ``POST /consent/reply``; the answer is the keyword's confirmation.
3. Anything else is classified and routed: to the one active conversation (the hook
   delivers it to that workflow and may return text to answer at once), to a numbered
   "which one?" question when there are several, or to a helpful answer when there is
   none (the hook records the reply).

The workflow side is reached through :class:`InboundHooks`, so this module decides and
the caller wires: by default (:func:`temporal_hooks`) conversations come from the store's
record of accepted SMS, kept to running workflows, and replies are signalled as
``customer_reply``.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode
from twilio.twiml.messaging_response import MessagingResponse

from api.preferences import KeywordOutcome, KeywordReply, apply_keyword_reply
from api.provider_inbound import add_provider_inbound_routes
from api.twilio_signature import verified_form
from config.conversation import ConversationSettings, get_conversation_settings
from config.settings import Settings
from conversation.dialogue import CustomerReply
from conversation.intents import Intent, IntentKind, classify
from conversation.routing import (
    ActiveConversation,
    AskWhichOne,
    NoConversation,
    RouteTo,
    active_within,
    route_reply,
)
from domain.milestones import Kind
from domain.phone import InvalidPhoneNumber, mask_phone, normalize_e164
from messaging.brand import Brand, default_brand
from observability import reports as observe
from observability.logs import logging_context
from providers.sms_provider import SmsProvider
from store.repository import Store
from store.timeline import TimelineRecord

log = logging.getLogger(__name__)

INBOUND_PATH = "/twilio/inbound"
CUSTOMER_REPLY_SIGNAL = "customer_reply"


FindConversations = Callable[[str], Awaitable[Sequence[ActiveConversation]]]
DeliverReply = Callable[[CustomerReply, ActiveConversation], Awaitable[str | None]]
RecordUnrouted = Callable[[CustomerReply], Awaitable[None]]


@dataclass
class InboundHooks:
    """Where the webhook meets the workflows; each one is replaceable in tests."""

    find_conversations: FindConversations  # active conversations that texted a number
    deliver: DeliverReply  # to the workflow; returns text to answer at once, or None
    record_unrouted: RecordUnrouted  # a reply no conversation took


def temporal_hooks(client: Client, store: Store, reply_window: timedelta) -> InboundHooks:
    """Conversations from the store's record of accepted SMS, kept to running workflows;
    replies signalled as ``customer_reply`` (the workflow answers by SMS); unrouted
    replies written to the store's timeline under ``inbound``."""

    async def find(phone: str) -> Sequence[ActiveConversation]:
        since = datetime.now(UTC) - reply_window
        texted = await asyncio.to_thread(store.conversations.texted_since, phone, since)
        running = await asyncio.gather(*(_is_running(client, c.workflow_id) for c in texted))
        return [
            ActiveConversation(
                workflow_id=c.workflow_id,
                kind=Kind(c.kind),
                reference=c.reference,
                last_message_at=c.last_sent_at,
                locale=c.locale,
            )
            for c, is_running in zip(texted, running, strict=True)
            if is_running
        ]

    async def signal(reply: CustomerReply, conversation: ActiveConversation) -> str | None:
        handle = client.get_workflow_handle(conversation.workflow_id)
        await handle.signal(CUSTOMER_REPLY_SIGNAL, reply)
        return None

    async def record(reply: CustomerReply) -> None:
        log.info("reply from %s with no active conversation", mask_phone(reply.phone))
        await asyncio.to_thread(store.timeline.add, unrouted_record(reply))

    return InboundHooks(find, signal, record)


UNROUTED_WORKFLOW_ID = "inbound"  # the timeline's home for replies no workflow took


def unrouted_record(reply: CustomerReply) -> TimelineRecord:
    return TimelineRecord(
        entry_key=f"inbound:{reply.message_sid or uuid.uuid4()}",
        workflow_id=UNROUTED_WORKFLOW_ID,
        at=reply.received_at,
        kind="unrouted_reply",
        milestone=None,
        event_id=None,
        detail=f"{mask_phone(reply.phone)} ({reply.intent.value}): {reply.text[:500]}",
    )


async def _is_running(client: Client, workflow_id: str) -> bool:
    """Closed workflows take no signals: their customers get the helpful answer."""
    try:
        description = await client.get_workflow_handle(workflow_id).describe()
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:
            return False
        raise
    return description.status is WorkflowExecutionStatus.RUNNING


class OpenQuestion(BaseModel):
    """A "which one?" question as kept in the store: the options and the reply that asked."""

    options: list[ActiveConversation]  # option n is options[n - 1]
    reply: CustomerReply


@dataclass
class PendingChoices:
    """The "which one?" questions awaiting a number, by phone, in the store: the answer may
    reach another replica of the HTTP service, or come after a restart."""

    store: Store
    ttl: timedelta

    def ask(self, phone: str, question: AskWhichOne, reply: CustomerReply, now: datetime) -> None:
        kept = OpenQuestion(options=list(question.options), reply=reply)
        self.store.reply_questions.ask(
            phone, kept.model_dump_json(), asked_at=now, expires_at=now + self.ttl
        )

    def answer(
        self, phone: str, number: int, now: datetime
    ) -> tuple[ActiveConversation, CustomerReply] | None:
        """The conversation picked and the reply that raised the question, once."""
        kept = self.store.reply_questions.pending(phone, now)
        if kept is None:
            return None
        question = OpenQuestion.model_validate_json(kept)
        if not 1 <= number <= len(question.options):
            return None
        self.store.reply_questions.answered(phone)
        return question.options[number - 1], question.reply


def create_inbound_router(
    settings: Settings,
    store: Store,
    client: Client | None = None,
    *,
    hooks: InboundHooks | None = None,
    conversation_settings: ConversationSettings | None = None,
    brand: Brand | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    providers: Mapping[str, SmsProvider] | None = None,
) -> APIRouter:
    conversation_settings = conversation_settings or get_conversation_settings()
    reply_window = timedelta(seconds=conversation_settings.reply_window_seconds)
    if hooks is None:
        if client is None:
            raise ValueError("give a Temporal client or the inbound hooks")
        hooks = temporal_hooks(client, store, reply_window)
    brand = brand or default_brand()
    apply_keyword = _consent_reply_handler(store, brand)
    pending = PendingChoices(
        store, timedelta(seconds=conversation_settings.disambiguation_ttl_seconds)
    )
    router = APIRouter()

    @router.post(INBOUND_PATH)
    async def inbound_logged(request: Request) -> Response:
        """Each inbound webhook's outcome in the log and the metrics."""
        try:
            response = await inbound(request)
        except HTTPException as refused:
            outcome = "refused_signature" if refused.status_code == 403 else "malformed"
            observe.webhook("twilio_inbound", outcome)
            raise
        form = await request.form()  # parsed once already: starlette keeps it
        with logging_context(provider_id=str(form.get("MessageSid") or "") or None):
            observe.webhook("twilio_inbound", "accepted")
        return response

    async def inbound(request: Request) -> Response:
        form = await verified_form(request, settings)
        return _twiml(
            await answer(form.get("From", ""), form.get("Body", ""), form.get("MessageSid", ""))
        )

    async def answer(sender: str, text: str, message_id: str) -> str | None:
        """What a text from ``sender`` does, and the text to answer with (None: nothing).
        Every provider's inbound route ends here (api/provider_inbound.py)."""
        try:
            phone = normalize_e164(sender)
        except InvalidPhoneNumber:
            return None  # a short code or an e-mail gateway: nobody to answer
        now = clock()
        conversations = await hooks.find_conversations(phone)
        locale = _latest_locale(conversations)
        intent = classify(text, locale, phone=phone)
        if intent.is_consent_keyword:
            outcome = await asyncio.to_thread(
                apply_keyword, KeywordReply(phone=phone, text=text, locale=locale)
            )
            return outcome.reply
        reply = _customer_reply(message_id, phone, text, intent, now)
        if intent.kind is IntentKind.CHOICE and intent.choice is not None:
            picked = await asyncio.to_thread(pending.answer, phone, intent.choice, now)
            if picked is not None:  # the number answered "which one?": send the first reply
                conversation, original = picked
                return await hooks.deliver(original, conversation)
            recent = active_within(conversations, now=now, reply_window=reply_window)
            if recent:  # a bare number answers the last question texted (a slot offer...)
                return await hooks.deliver(reply, recent[0])
        route = route_reply(
            conversations, now=now, reply_window=reply_window, brand=brand, locale=locale
        )
        if isinstance(route, RouteTo):
            return await hooks.deliver(reply, route.conversation)
        if isinstance(route, AskWhichOne):
            await asyncio.to_thread(pending.ask, phone, route, reply, now)
            return route.prompt
        assert isinstance(route, NoConversation)
        await hooks.record_unrouted(reply)
        return route.reply

    if providers:
        add_provider_inbound_routes(router, settings, store, providers, answer)
    return router


def _consent_reply_handler(store: Store, brand: Brand) -> Callable[[KeywordReply], KeywordOutcome]:
    """What ``POST /consent/reply`` does, called in process: one implementation of STOP,
    START and HELP. (The route's credential guards HTTP callers; here the Twilio signature
    already did.)"""
    return lambda reply: apply_keyword_reply(store.consent, reply, brand)


def _latest_locale(conversations: Sequence[ActiveConversation]) -> str | None:
    latest = max(conversations, key=lambda c: c.last_message_at, default=None)
    return latest.locale if latest else None


def _customer_reply(
    message_id: str, phone: str, text: str, intent: Intent, now: datetime
) -> CustomerReply:
    return CustomerReply(
        message_sid=message_id,
        phone=phone,
        text=text,
        intent=intent.kind,
        choice=intent.choice,
        language=intent.language,
        received_at=now,
    )


def _twiml(text: str | None) -> Response:
    answer = MessagingResponse()
    if text:
        answer.message(text)
    return Response(content=str(answer), media_type="application/xml")
