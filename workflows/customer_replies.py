"""The conversation with the customer: replies answered, slots rebooked, support brought in.

Owns what follows a customer's text ("Reschedule", a slot's number, "Call me", anything
else) and a delivery exception: what the reply means now is the pure dialogue's call
(conversation/dialogue.py); this module carries it out with the OMS (slots, bookings),
the support desk (call-backs, hand-overs, exception alerts, with the latest lines of the
conversation) and an SMS back to the customer (sms_send.py, without pacing ahead and
without a fallback: the customer is on SMS right now). Every call has durable retries; a
failure is recorded and, where it leaves the customer waiting, support takes over.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

    from activities.conversation import (
        BookSlotInput,
        ComposeReplyInput,
        OfferSlotsInput,
        ReplyPurpose,
        SlotBooked,
        SlotsOffered,
        SupportRequested,
        SupportRequestInput,
        SupportRequestKind,
    )
    from activities.delivery import REJECTED
    from conversation import dialogue
    from conversation.dialogue import CustomerReply
    from domain.events import MilestoneEvent
    from domain.milestones import Kind
    from domain.phone import mask_phone
    from domain.timeline import Channel, EntryKind, MessageRecord
    from messaging.render import RenderedMessage
    from workflows import message_records as records
    from workflows import support_view
    from workflows.run_context import LOCAL_RETRY, LOCAL_TIMEOUT, RunContext
    from workflows.sms_send import SmsSend

ModelT = TypeVar("ModelT", bound=BaseModel)
CONVERSATION_TIMEOUT = timedelta(seconds=30)
CONVERSATION_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    maximum_interval=timedelta(minutes=1),
    maximum_attempts=10,
    non_retryable_error_types=[REJECTED],
)


class CustomerReplies:
    def __init__(self, ctx: RunContext, sms: SmsSend) -> None:
        self._ctx = ctx
        self._sms = sms

    async def answer(self, reply: CustomerReply) -> None:
        """One reply: what it means now (``conversation.dialogue``), then act and answer."""
        ctx = self._ctx
        event = ctx.state.last_event
        ctx.note(EntryKind.REPLY_RECEIVED, f"{reply.intent.value}: {reply.text[:160]!r}", event)
        ctx.state.remember_line("inbound", reply.text, reply.received_at)
        if event is None or not event.customer.phone:
            ctx.note(EntryKind.REPLY_IGNORED, "no milestone texted yet", event)
            return
        reply_key = f"{ctx.workflow_id}:reply-{reply.message_sid or workflow.uuid4()}"
        step = dialogue.next_step(
            ctx.state.dialogue,
            reply.intent,
            reply.choice,
            workflow.now(),
            reschedulable=event.kind is Kind.ORDER and ctx.state.terminal_reached_at is None,
        )
        if isinstance(step, dialogue.OfferSlots):
            await self._offer_slots(event, reply_key)
        elif isinstance(step, dialogue.BookSlot):
            await self._book_slot(event, step.slot_id, reply_key)
        elif isinstance(step, dialogue.AskForValidChoice):
            await self._compose_and_reply(event, ReplyPurpose.INVALID_CHOICE, reply_key, step.count)
        elif isinstance(step, dialogue.AnswerHelp):
            await self._compose_and_reply(event, ReplyPurpose.HELP, reply_key)
        elif isinstance(step, dialogue.OpenCallback):
            await self._ask_support(event, SupportRequestKind.CALLBACK, reply_key)
        elif isinstance(step, dialogue.HandToSupport):
            await self._ask_support(event, SupportRequestKind.REPLY, reply_key)
        else:
            ctx.note(EntryKind.REPLY_IGNORED, "consent keyword: the webhook answered it", event)
        ctx.publish()

    async def alert_support(self, event: MilestoneEvent) -> None:
        """A delivery exception: support hears of it at once, with the order's context."""
        with self._ctx.sending():
            alerted = await self._converse(
                "request_support",
                SupportRequestInput(
                    event=event,
                    request=SupportRequestKind.EXCEPTION,
                    idempotency_key=f"{self._ctx.workflow_id}:alert-{event.event_id}",
                    conversation=list(self._ctx.state.conversation),
                ),
                SupportRequested,
                support_view.exception_alert_summary(event),
                event,
            )
            if isinstance(alerted, SupportRequested):
                problem = (event.problem or event.milestone).value
                self._ctx.note(
                    EntryKind.SUPPORT_ALERTED, f"{problem}: alert {alerted.ticket_id}", event
                )
                self._ctx.publish()

    async def _offer_slots(self, event: MilestoneEvent, reply_key: str) -> None:
        offered = await self._converse(
            "offer_delivery_slots",
            OfferSlotsInput(event=event),
            SlotsOffered,
            support_view.slots_summary(event),
            event,
        )
        if not isinstance(offered, SlotsOffered):
            await self._ask_support(event, SupportRequestKind.REPLY, reply_key, "reschedule failed")
            return
        slot_ids = tuple(slot.slot_id for slot in offered.slots)
        state = self._ctx.state
        state.dialogue = (
            state.dialogue.with_offer(slot_ids, workflow.now())
            if slot_ids
            else state.dialogue.closed()
        )
        listed = ", ".join(f"{n} {s.start.isoformat()}" for n, s in enumerate(offered.slots, 1))
        self._ctx.note(
            EntryKind.SLOTS_OFFERED, f"{len(slot_ids)} offered: {listed or 'none'}", event
        )
        await self._reply(event, offered.reply, "slot_offer", reply_key)

    async def _book_slot(self, event: MilestoneEvent, slot_id: str, reply_key: str) -> None:
        booked = await self._converse(
            "book_delivery_slot",
            BookSlotInput(event=event, slot_id=slot_id, idempotency_key=reply_key),
            SlotBooked,
            support_view.booking_summary(event, slot_id),
            event,
        )
        self._ctx.state.dialogue = self._ctx.state.dialogue.closed()
        if isinstance(booked, SlotBooked):
            slot = booked.slot
            detail = f"slot {slot.slot_id} {slot.start.isoformat()} to {slot.end.isoformat()}"
            self._ctx.note(
                EntryKind.RESCHEDULED, f"{detail}, confirmation {booked.confirmation_id}", event
            )
            await self._reply(event, booked.reply, "reschedule_confirmation", reply_key)
        elif records.is_rejection(booked):  # taken meanwhile: offer what is free now
            await self._offer_slots(event, f"{reply_key}-again")
        else:
            await self._ask_support(event, SupportRequestKind.REPLY, reply_key, "booking failed")

    async def _ask_support(
        self,
        event: MilestoneEvent,
        kind: SupportRequestKind,
        reply_key: str,
        detail: str | None = None,
    ) -> None:
        """A call-back, or a reply Herald cannot act on: support gets it with the context."""
        callback = kind is SupportRequestKind.CALLBACK
        requested = await self._converse(
            "request_support",
            SupportRequestInput(
                event=event,
                request=kind,
                idempotency_key=f"{reply_key}-{kind.value}",
                conversation=list(self._ctx.state.conversation),
                detail=detail,
            ),
            SupportRequested,
            support_view.support_request_summary(event, callback=callback),
            event,
        )
        if not isinstance(requested, SupportRequested):
            return
        entry = EntryKind.CALLBACK_REQUESTED if callback else EntryKind.SUPPORT_ALERTED
        self._ctx.note(
            entry, f"ticket {requested.ticket_id}" + (f": {detail}" if detail else ""), event
        )
        if requested.reply is not None:
            purpose = "callback_promise" if callback else "to_support"
            await self._reply(event, requested.reply, purpose, reply_key)

    async def _compose_and_reply(
        self, event: MilestoneEvent, purpose: ReplyPurpose, reply_key: str, choices: int = 0
    ) -> None:
        text: RenderedMessage = await workflow.execute_local_activity(
            "compose_reply",
            ComposeReplyInput(event=event, purpose=purpose, choices=choices),
            result_type=RenderedMessage,
            start_to_close_timeout=LOCAL_TIMEOUT,
            retry_policy=LOCAL_RETRY,
            summary=support_view.compose_reply_summary(purpose.value),
        )
        await self._reply(event, text, purpose.value, reply_key)

    async def _reply(
        self, event: MilestoneEvent, text: RenderedMessage, purpose: str, reply_key: str
    ) -> None:
        """Text the customer back: the milestones' send path, without a slot reserved ahead
        (the permit before each call still keeps the sender's limit) and without a fallback."""
        phone = event.customer.phone or ""
        record = MessageRecord(
            message_key=f"{reply_key}:{purpose}:sms",
            milestone=event.milestone,
            channel=Channel.SMS,
            recipient=mask_phone(phone),
            body=text.text,
            encoding=text.encoding,
            segments=text.segments,
            estimated_cost_usd=text.estimated_cost_usd,
            purpose=purpose,
        )
        self._ctx.history.messages.append(record)
        await self._sms.send_within_limit(record, event, phone, text, reserve_slot=False)

    async def _converse(
        self,
        activity_name: str,
        request: BaseModel,
        result_type: type[ModelT],
        summary: str,
        event: MilestoneEvent,
    ) -> ModelT | ActivityError:
        """One call to the OMS or support, with durable retries; a failure is noted and
        returned, so the caller can choose another way."""
        try:
            return await workflow.execute_activity(
                activity_name,
                request,
                result_type=result_type,
                start_to_close_timeout=CONVERSATION_TIMEOUT,
                retry_policy=CONVERSATION_RETRY,
                summary=summary,
            )
        except ActivityError as err:
            self._ctx.note(
                EntryKind.CONVERSATION_FAILED, f"{summary}: {records.error_text(err)}", event
            )
            return err
