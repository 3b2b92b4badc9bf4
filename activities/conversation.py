"""What a customer's reply sets off: delivery slots, a booking, a call-back, support.

Each activity does its one outside call and writes the SMS that answers the customer; the
workflow sends that SMS through ``send_sms`` (consent check, sender limit, outbox). So a
retried activity never texts twice, and each outside call is idempotent by itself:

- listing slots is a read;
- booking sends an ``Idempotency-Key`` (the workflow's key for this reply): the OMS books once;
- call-backs and alerts send an idempotency key too (support opens one ticket per key,
  and the e-mail desk derives the Message-ID from it).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel
from temporalio import activity

from activities.delivery import as_activity_error, rejected
from config.conversation import ConversationSettings
from conversation.replies import (
    MAX_SLOTS_OFFERED,
    OfferedSlot,
    callback_promise_text,
    handed_to_support_text,
    invalid_choice_text,
    reschedule_confirmation_text,
    slot_offer_text,
)
from conversation.support_context import support_context_for
from domain.events import MilestoneEvent
from messaging.brand import Brand, default_brand
from messaging.render import RenderedMessage, sms_from_text
from policy.keywords import help_text
from providers.errors import ProviderError
from providers.oms import OmsClient
from providers.support import ConversationLine, EmailSupportDesk, SupportDesk


class SlotOffer(BaseModel):
    slot_id: str
    start: AwareDatetime
    end: AwareDatetime


class OfferSlotsInput(BaseModel):
    event: MilestoneEvent  # the latest: reference, customer locale, zone and phone


class SlotsOffered(BaseModel):
    slots: list[SlotOffer]  # empty: none free, the text says so and suggests CALL ME
    reply: RenderedMessage


class BookSlotInput(BaseModel):
    event: MilestoneEvent
    slot_id: str
    idempotency_key: str


class SlotBooked(BaseModel):
    confirmation_id: str
    slot: SlotOffer
    reply: RenderedMessage


class SupportRequestKind(StrEnum):
    CALLBACK = "callback"  # the customer asked to be called
    REPLY = "reply"  # a reply Herald cannot act on: support reads it
    EXCEPTION = "exception"  # a delivery problem support should know about at once


class SupportRequestInput(BaseModel):
    event: MilestoneEvent
    request: SupportRequestKind
    idempotency_key: str
    conversation: list[ConversationLine] = []
    detail: str | None = None


class SupportRequested(BaseModel):
    ticket_id: str
    reply: RenderedMessage | None  # what to tell the customer; None: nothing (an alert)


class ReplyPurpose(StrEnum):
    HELP = "help"
    INVALID_CHOICE = "invalid_choice"


class ComposeReplyInput(BaseModel):
    event: MilestoneEvent
    purpose: ReplyPurpose
    choices: int = 0  # INVALID_CHOICE: how many were offered


class ConversationActivities:
    def __init__(
        self,
        settings: ConversationSettings,
        oms: OmsClient,
        support: SupportDesk | EmailSupportDesk,
        brand: Brand | None = None,
    ) -> None:
        self._settings = settings
        self._oms = oms
        self._support = support
        self._brand = brand

    @property
    def brand(self) -> Brand:
        return self._brand or default_brand()

    @activity.defn(name="offer_delivery_slots")
    async def offer_delivery_slots(self, request: OfferSlotsInput) -> SlotsOffered:
        event = request.event
        try:
            slots = await self._oms.delivery_slots(event.reference)
        except ProviderError as error:
            raise as_activity_error(error) from error
        offered = slots[:MAX_SLOTS_OFFERED]
        text = slot_offer_text(
            [OfferedSlot(s.start, s.end) for s in offered],
            reference=event.reference,
            brand=self.brand,
            locale=event.customer.locale,
            time_zone=event.customer.time_zone,
        )
        return SlotsOffered(
            slots=[SlotOffer(slot_id=s.id, start=s.start, end=s.end) for s in offered],
            reply=_sms(event, text),
        )

    @activity.defn(name="book_delivery_slot")
    async def book_delivery_slot(self, request: BookSlotInput) -> SlotBooked:
        event = request.event
        try:
            booked = await self._oms.reschedule(
                event.reference, request.slot_id, idempotency_key=request.idempotency_key
            )
        except ProviderError as error:
            raise as_activity_error(error) from error
        slot = booked.slot
        text = reschedule_confirmation_text(
            OfferedSlot(slot.start, slot.end),
            reference=event.reference,
            brand=self.brand,
            locale=event.customer.locale,
            time_zone=event.customer.time_zone,
        )
        return SlotBooked(
            confirmation_id=booked.confirmation_id,
            slot=SlotOffer(slot_id=slot.id, start=slot.start, end=slot.end),
            reply=_sms(event, text),
        )

    @activity.defn(name="request_support")
    async def request_support(self, request: SupportRequestInput) -> SupportRequested:
        event, kind = request.event, request.request
        context = support_context_for(
            event, _support_reason(request), request.conversation
        ).model_copy(update={"detail": request.detail or event.detail})
        try:
            if kind is SupportRequestKind.CALLBACK:
                ticket = await self._support.open_callback(
                    context, idempotency_key=request.idempotency_key
                )
            else:
                ticket = await self._support.alert(context, idempotency_key=request.idempotency_key)
        except ProviderError as error:
            raise as_activity_error(error) from error
        return SupportRequested(ticket_id=ticket, reply=self._support_reply(event, kind))

    @activity.defn(name="compose_reply")
    async def compose_reply(self, request: ComposeReplyInput) -> RenderedMessage:
        # Pure: the same input writes the same text.
        event, brand = request.event, self.brand
        locale = event.customer.locale
        if request.purpose is ReplyPurpose.HELP:
            text = help_text(brand, locale.split("-")[0].lower())
        else:
            text = invalid_choice_text(count=request.choices, brand=brand, locale=locale)
        return _sms(event, text)

    def _support_reply(
        self, event: MilestoneEvent, kind: SupportRequestKind
    ) -> RenderedMessage | None:
        locale = event.customer.locale
        if kind is SupportRequestKind.CALLBACK:
            hours = self._settings.callback_promise_hours
            text = callback_promise_text(
                reference=event.reference, hours=hours, brand=self.brand, locale=locale
            )
        elif kind is SupportRequestKind.REPLY:
            text = handed_to_support_text(
                reference=event.reference, brand=self.brand, locale=locale
            )
        else:
            return None
        return _sms(event, text)


def _support_reason(request: SupportRequestInput) -> str:
    if request.request is SupportRequestKind.CALLBACK:
        return "call_me"
    if request.request is SupportRequestKind.REPLY:
        return "customer_reply"
    event = request.event
    return (event.problem or event.milestone).value


def _sms(event: MilestoneEvent, text: str) -> RenderedMessage:
    if not event.customer.phone:
        raise rejected("no-phone", "the customer has no phone number to answer")
    return sms_from_text(text, phone=event.customer.phone, locale=event.customer.locale)
