"""Customer replies and delivery exceptions in the workflow, on the time-skipping server.

The OMS and the support desk are the sandbox's, in process; every answer goes out through
the workflow's ``send_sms`` (here the stand-in, which keeps what was sent).
"""

from __future__ import annotations

from datetime import UTC, datetime

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from conversation.dialogue import CustomerReply
from conversation.intents import IntentKind
from domain.events import DeliveryProblem
from domain.timeline import EntryKind, MessageRecord, MessagingHistory
from sandbox.oms import InjectedFailures
from starter.client import signal_milestone
from tests.helpers.events import order_event
from tests.helpers.temporal import new_worker
from tests.workflows.stand_ins import FakeChannels
from tests.workflows.test_notification_flow import wait_for

PHONE = "+14155550167"


def replies_of(history: MessagingHistory) -> list[MessageRecord]:
    return [m for m in history.messages if m.purpose]


def entries(history: MessagingHistory, kind: EntryKind) -> list[str]:
    return [e.detail for e in history.entries if e.kind is kind]


async def reply(
    handle: WorkflowHandle,
    text: str,
    intent: IntentKind,
    sid: str,
    choice: int | None = None,
) -> None:
    await handle.signal(
        "customer_reply",
        CustomerReply(
            message_sid=sid,
            phone=PHONE,
            text=text,
            intent=intent,
            choice=choice,
            received_at=datetime.now(UTC),
        ),
    )


async def texted_order(
    env: WorkflowEnvironment, task_queue: str, reference: str, milestone: str = "out_for_delivery"
) -> WorkflowHandle:
    event = order_event(milestone, reference, step=2)
    handle = await signal_milestone(env.client, event, task_queue=task_queue)
    await wait_for(handle, lambda h: any(m.provider_message_id for m in h.messages))
    return handle


async def one_reply(
    env: WorkflowEnvironment,
    reference: str,
    text: str,
    intent: IntentKind,
    *,
    milestone: str = "out_for_delivery",
) -> tuple[FakeChannels, MessagingHistory]:
    """An order texted once, one reply, and the workflow's history once it has answered."""
    fake = FakeChannels()
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await texted_order(env, worker.task_queue, reference, milestone)
        await reply(handle, text, intent, f"SM-{reference}")
        return fake, await wait_for(handle, lambda h: len(replies_of(h)) == 1)


async def test_reschedule_offers_slots_books_the_choice_and_confirms(
    env: WorkflowEnvironment,
) -> None:
    fake = FakeChannels()
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await texted_order(env, worker.task_queue, "T1")
        await reply(handle, "Reschedule please", IntentKind.RESCHEDULE, "SM-r1")
        history = await wait_for(handle, lambda h: len(replies_of(h)) == 1)
        offer = replies_of(history)[0]
        assert offer.purpose == "slot_offer" and "1 " in offer.body and "Reply with" in offer.body
        assert entries(history, EntryKind.SLOTS_OFFERED)[0].startswith("4 offered")

        await reply(handle, "2", IntentKind.CHOICE, "SM-r2", choice=2)
        history = await wait_for(handle, lambda h: len(replies_of(h)) == 2)

        second_slot = fake.oms.slots()[1]
        assert [b["slot"]["id"] for b in fake.oms.bookings] == [second_slot["id"]]
        assert fake.oms.bookings[0]["idempotency_key"] == "order-T1:reply-SM-r2"
        confirmation = replies_of(history)[1]
        assert confirmation.purpose == "reschedule_confirmation"
        assert "done" in confirmation.body and "T1" in confirmation.body
        assert "RS-00001" in entries(history, EntryKind.RESCHEDULED)[0]
        assert fake.sms[-1].to == PHONE  # answered on the customer's own number


async def test_a_number_that_was_not_offered_asks_again_and_books_nothing(
    env: WorkflowEnvironment,
) -> None:
    fake = FakeChannels()
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await texted_order(env, worker.task_queue, "T2")
        await reply(handle, "reschedual", IntentKind.RESCHEDULE, "SM-a")
        await wait_for(handle, lambda h: len(replies_of(h)) == 1)
        await reply(handle, "9", IntentKind.CHOICE, "SM-b", choice=9)
        history = await wait_for(handle, lambda h: len(replies_of(h)) == 2)

        assert replies_of(history)[1].purpose == "invalid_choice"
        assert "1 to 4" in replies_of(history)[1].body
        assert fake.oms.bookings == []


async def test_a_slot_taken_meanwhile_is_offered_again(env: WorkflowEnvironment) -> None:
    fake = FakeChannels()
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await texted_order(env, worker.task_queue, "T3")
        await reply(handle, "reschedule", IntentKind.RESCHEDULE, "SM-1")
        await wait_for(handle, lambda h: len(replies_of(h)) == 1)
        fake.oms.failures = InjectedFailures(status=409, times=1)  # someone else booked it
        await reply(handle, "1", IntentKind.CHOICE, "SM-2", choice=1)
        history = await wait_for(handle, lambda h: len(replies_of(h)) == 2)

        assert [m.purpose for m in replies_of(history)] == ["slot_offer", "slot_offer"]
        assert fake.oms.bookings == []
        assert any("cannot be booked" in e for e in entries(history, EntryKind.CONVERSATION_FAILED))


async def test_an_oms_outage_is_retried_durably(env: WorkflowEnvironment) -> None:
    fake = FakeChannels()
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await texted_order(env, worker.task_queue, "T4")
        fake.oms.failures = InjectedFailures(status=503, times=3)
        await reply(handle, "change delivery date", IntentKind.RESCHEDULE, "SM-x")
        history = await wait_for(handle, lambda h: len(replies_of(h)) == 1, timeout=30)

        assert replies_of(history)[0].purpose == "slot_offer"
        assert fake.oms.failures.times == 0
        assert not entries(history, EntryKind.CONVERSATION_FAILED)


async def test_call_me_opens_a_callback_with_the_conversation_and_promises_a_call(
    env: WorkflowEnvironment,
) -> None:
    fake, history = await one_reply(env, "T5", "Call me!", IntentKind.CALL_ME)

    [request] = fake.support.requests
    assert request["kind"] == "callback"
    context = request["context"]
    assert context["reason"] == "call_me" and context["reference"] == "T5"
    assert context["customer_phone"] == PHONE  # support has to call back
    assert [line["direction"] for line in context["conversation"]] == ["outbound", "inbound"]
    assert context["conversation"][-1]["text"] == "Call me!"
    assert replies_of(history)[0].purpose == "callback_promise"
    assert "24 hours" in replies_of(history)[0].body
    assert entries(history, EntryKind.CALLBACK_REQUESTED) == ["ticket CALLBACK-00001"]


async def test_anything_else_goes_to_support_and_the_customer_is_told(
    env: WorkflowEnvironment,
) -> None:
    fake, history = await one_reply(env, "T6", "the box was open", IntentKind.OTHER)

    [request] = fake.support.requests
    assert request["kind"] == "alert" and request["context"]["reason"] == "customer_reply"
    assert replies_of(history)[0].purpose == "to_support"


async def test_a_retried_webhook_is_one_reply_and_a_malformed_one_is_recorded(
    env: WorkflowEnvironment,
) -> None:
    fake = FakeChannels()
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await texted_order(env, worker.task_queue, "T7")
        await reply(handle, "call me", IntentKind.CALL_ME, "SM-same")
        await reply(handle, "call me", IntentKind.CALL_ME, "SM-same")
        await handle.signal("customer_reply", {"text": "no sid, no intent"})
        history = await wait_for(
            handle,
            lambda h: (
                len(replies_of(h)) == 1
                and any(e.kind is EntryKind.MALFORMED_SIGNAL for e in h.entries)
            ),
        )
        assert len(fake.support.requests) == 1
        assert "reply SM-same seen before" in entries(history, EntryKind.DUPLICATE_IGNORED)
        malformed = entries(history, EntryKind.MALFORMED_SIGNAL)[0]
        assert "customer_reply signal rejected" in malformed and "intent" in malformed


async def test_a_delivery_exception_reaches_the_customer_and_support_at_once(
    env: WorkflowEnvironment,
) -> None:
    fake = FakeChannels()
    async with new_worker(env.client, fake.activities()) as worker:
        event = order_event("exception", "T8", step=2).model_copy(
            update={"problem": DeliveryProblem.DAMAGED, "detail": "parcel crushed at depot"}
        )
        handle = await signal_milestone(env.client, event, task_queue=worker.task_queue)
        history = await wait_for(
            handle,
            lambda h: (
                any(m.provider_message_id for m in h.messages)
                and bool(entries(h, EntryKind.SUPPORT_ALERTED))
            ),
        )
        [alert] = fake.support.requests
        assert alert["kind"] == "alert"
        assert alert["context"]["reason"] == "damaged"
        assert alert["context"]["detail"] == "parcel crushed at depot"
        assert alert["idempotency_key"] == f"order-T8:alert-{event.event_id}"
        assert entries(history, EntryKind.SUPPORT_ALERTED)[0].startswith("damaged: alert ALERT-")
        assert fake.sms[0].identity.milestone.value == "exception"


async def test_a_reply_before_any_sms_is_recorded_not_acted_on(env: WorkflowEnvironment) -> None:
    fake = FakeChannels()
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client,
            order_event("confirmed", "T9", phone=None),
            task_queue=worker.task_queue,
        )
        await wait_for(handle, lambda h: bool(h.messages))
        await reply(handle, "call me", IntentKind.CALL_ME, "SM-n")
        history = await wait_for(handle, lambda h: bool(entries(h, EntryKind.REPLY_IGNORED)))
        assert fake.support.requests == []
        assert entries(history, EntryKind.REPLY_IGNORED) == ["no milestone texted yet"]


async def test_reschedule_after_delivery_goes_to_support_not_the_oms(
    env: WorkflowEnvironment,
) -> None:
    fake, history = await one_reply(
        env, "T10", "reschedule", IntentKind.RESCHEDULE, milestone="delivered"
    )

    assert replies_of(history)[0].purpose == "to_support"
    assert [r["context"]["reason"] for r in fake.support.requests] == ["customer_reply"]
    assert not entries(history, EntryKind.SLOTS_OFFERED)
