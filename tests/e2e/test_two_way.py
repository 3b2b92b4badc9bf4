"""Two-way end to end: the sandbox texts "from the customer's phone" to Herald's signed
inbound webhook; the worker answers through the sandbox's Twilio API, the sandbox OMS and
the sandbox support desk. Real dev server, worker, HTTP service and sandbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from temporalio.client import Client
from twilio.request_validator import RequestValidator

from devstack.stack import Stack
from domain.events import DeliveryProblem
from domain.milestones import Kind
from domain.timeline import EntryKind, MessagingHistory
from starter.client import signal_milestone
from store.repository import Store
from tests.e2e.test_stack import history_when, new_phone, new_reference, sandbox_messages
from tests.helpers.events import order_event
from tests.helpers.temporal import assert_eventually

pytestmark = pytest.mark.timeout(180)


class Customer:
    """One phone: texts Herald through the sandbox and reads what Herald texted back."""

    def __init__(self, stack: Stack, sandbox: httpx.AsyncClient, phone: str) -> None:
        self.stack, self.sandbox, self.phone = stack, sandbox, phone

    async def texts(self, body: str) -> str:
        """Send ``body``; returns the webhook's TwiML answer."""
        settings = self.stack.settings
        sent = {
            "from": self.phone,
            "to": settings.sms_sender,
            "body": body,
            "webhook_url": f"{settings.effective_public_base_url}/twilio/inbound",
        }
        answer = (await self.sandbox.post("/sandbox/inbound", json=sent)).json()
        assert answer["status_code"] == 200, answer
        return str(answer["response_body"])

    async def received(self, count: int) -> list[str]:
        """The bodies Herald texted this phone, once there are ``count`` of them."""

        async def check() -> list[str]:
            bodies = [m["body"] for m in await sandbox_messages(self.sandbox, self.phone)]
            assert len(bodies) >= count, bodies
            return bodies

        return await assert_eventually(check, timeout=45, interval=0.25)


async def texted_order(
    client: Client,
    customer: Customer,
    reference: str,
    milestone: str = "out_for_delivery",
    **kw: Any,
) -> None:
    event = order_event(milestone, reference, step=2, phone=customer.phone, **kw)
    await signal_milestone(client, event)
    await customer.received(1)


def has_entry(kind: EntryKind) -> Callable[[MessagingHistory], bool]:
    return lambda h: any(e.kind is kind for e in h.entries)


async def support_requests(sandbox: httpx.AsyncClient, reference: str) -> list[dict[str, Any]]:
    requests = (await sandbox.get("/sandbox/support/requests")).json()["requests"]
    return [r for r in requests if r["context"]["reference"] == reference]


# Each language: what the customer texts, then what Herald's answers say in that language.
LANGUAGES = {
    "en": ("Reschedule", "call me", "I need help"),
    "es": ("Reprogramar", "Llámame", "necesito ayuda"),
    "fr": ("changer la date", "Rappelez-moi", "besoin d'aide"),
    "de": ("neuer Termin", "Rückruf bitte", "ich brauche Hilfe"),
    "ja": ("配達日を変更したいです", "電話してください", "助けてください"),
    "ar": ("أريد تغيير الموعد", "اتصل بي من فضلك", "ساعدني من فضلك"),
}
ANSWERS = {  # slot offer, confirmation, call-back promise, help text
    "en": ("choose a new", "done,", "we will call", "Help:"),
    "es": ("elige", "hecho", "te llamaremos", "Ayuda:"),
    "fr": ("choisissez", "c'est noté", "nous vous appellerons", "Aide :"),
    "de": ("Wählen Sie", "Erledigt", "Wir rufen Sie", "Hilfe:"),
    "ja": ("新しいお届け日時", "承りました", "お電話します", "お問い合わせ"),
    "ar": ("اختر موعداً", "تم،", "سنتصل بك", "للمساعدة"),
}


@pytest.mark.parametrize("locale", LANGUAGES)
async def test_each_intent_is_understood_and_answered_in_the_customers_language(
    stack: Stack, client: Client, sandbox: httpx.AsyncClient, locale: str
) -> None:
    customer, reference = Customer(stack, sandbox, new_phone()), new_reference()
    await texted_order(client, customer, reference, locale=locale)
    reschedule, call_me, help_ = LANGUAGES[locale]
    offered, confirmed, promised, helped = ANSWERS[locale]

    assert await customer.texts(reschedule) == '<?xml version="1.0" encoding="UTF-8"?><Response />'
    assert offered in (await customer.received(2))[1]
    await customer.texts("2")
    assert confirmed in (await customer.received(3))[2]
    await customer.texts(call_me)
    assert promised in (await customer.received(4))[3]
    await customer.texts(help_)
    assert helped in (await customer.received(5))[4]
    await customer.texts("the parcel box is too small for it")
    assert reference in (await customer.received(6))[5]

    bookings = (await sandbox.get("/sandbox/oms/bookings")).json()["bookings"]
    assert [b["reference"] for b in bookings].count(reference) == 1
    kinds = sorted(r["kind"] for r in await support_requests(sandbox, reference))
    assert kinds == ["alert", "callback"]
    history = await history_when(client, Kind.ORDER, reference, has_entry(EntryKind.RESCHEDULED))
    assert [m.purpose for m in history.messages if m.purpose] == [
        "slot_offer",
        "reschedule_confirmation",
        "callback_promise",
        "help",
        "to_support",
    ]


async def test_a_callback_request_carries_the_order_and_the_conversation(
    stack: Stack, client: Client, sandbox: httpx.AsyncClient
) -> None:
    customer, reference = Customer(stack, sandbox, new_phone()), new_reference()
    await texted_order(client, customer, reference)
    await customer.texts("Call me please")
    await customer.received(2)

    [request] = await support_requests(sandbox, reference)
    context = request["context"]
    assert request["kind"] == "callback" and context["reason"] == "call_me"
    assert context["customer_phone"] == customer.phone and context["tracking_id"]
    assert [line["direction"] for line in context["conversation"]] == ["outbound", "inbound"]
    history = await history_when(
        client, Kind.ORDER, reference, has_entry(EntryKind.CALLBACK_REQUESTED)
    )
    ticket = next(e for e in history.entries if e.kind is EntryKind.CALLBACK_REQUESTED)
    assert ticket.detail == f"ticket {request['id']}"


async def test_two_active_orders_ask_which_one_then_route_the_reply(
    stack: Stack, client: Client, sandbox: httpx.AsyncClient
) -> None:
    customer = Customer(stack, sandbox, new_phone())
    first, second = new_reference(), new_reference()
    await texted_order(client, customer, first)
    await signal_milestone(client, order_event("shipped", second, step=1, phone=customer.phone))
    await customer.received(2)

    question = await customer.texts("call me")
    assert "which one" in question and f"1 order {second}" in question
    assert await support_requests(sandbox, first) == []
    await customer.texts("2")  # the first order, listed second: texted earlier
    await customer.received(3)

    assert [r["kind"] for r in await support_requests(sandbox, first)] == ["callback"]
    assert await support_requests(sandbox, second) == []


async def test_a_reply_with_no_active_conversation_gets_help_and_is_recorded(
    stack: Stack, sandbox: httpx.AsyncClient, store: Store
) -> None:
    customer = Customer(stack, sandbox, new_phone())
    answer = await customer.texts("where is my parcel?")
    assert "no recent order or return" in answer
    recorded = [e for e in store.timeline.entries("inbound") if customer.phone[-2:] in e.detail]
    assert any("where is my parcel?" in e.detail for e in recorded)
    assert await sandbox_messages(sandbox, customer.phone) == []


async def test_a_forged_inbound_webhook_is_refused_and_reaches_nobody(
    stack: Stack, client: Client, sandbox: httpx.AsyncClient
) -> None:
    customer, reference = Customer(stack, sandbox, new_phone()), new_reference()
    await texted_order(client, customer, reference)
    settings = stack.settings
    url = f"{settings.effective_public_base_url}/twilio/inbound"
    params = {"MessageSid": "SMforged", "From": customer.phone, "To": settings.sms_sender}
    params["Body"] = "call me"
    forged = RequestValidator("not-the-auth-token").compute_signature(url, params)
    async with httpx.AsyncClient() as http:
        refused = await http.post(url, data=params, headers={"X-Twilio-Signature": forged})
        unsigned = await http.post(url, data=params)
    assert (refused.status_code, unsigned.status_code) == (403, 403)
    await customer.texts("ok")  # a signed reply after it: the forged one never got in
    history = await history_when(
        client, Kind.ORDER, reference, has_entry(EntryKind.SUPPORT_ALERTED)
    )
    replies = [e.detail for e in history.entries if e.kind is EntryKind.REPLY_RECEIVED]
    assert replies == ["other: 'ok'"]


async def test_a_delayed_shipment_reaches_the_customer_and_support_at_once(
    stack: Stack, client: Client, sandbox: httpx.AsyncClient
) -> None:
    customer, reference = Customer(stack, sandbox, new_phone()), new_reference()
    event = order_event("delayed", reference, phone=customer.phone).model_copy(
        update={"problem": DeliveryProblem.DELAYED, "detail": "storm at the hub"}
    )
    await signal_milestone(client, event)

    [sms] = await customer.received(1)
    assert reference in sms

    async def alerted() -> dict[str, Any]:
        [alert] = await support_requests(sandbox, reference)
        return alert

    alert = await assert_eventually(alerted, timeout=30)
    assert alert["kind"] == "alert"
    assert (alert["context"]["reason"], alert["context"]["detail"]) == (
        "delayed",
        "storm at the hub",
    )


async def test_the_language_model_words_exceptions_and_the_template_takes_over_on_failure(
    stack: Stack, client: Client, sandbox: httpx.AsyncClient
) -> None:
    customer, reference = Customer(stack, sandbox, new_phone()), new_reference()
    await texted_order(client, customer, reference, milestone="shipped")  # opt-out line done

    await signal_milestone(client, order_event("delayed", reference, step=3, phone=customer.phone))
    worded = (await customer.received(2))[1]
    assert worded.startswith(f"Herald Shop: sorry Ana, order {reference} is running late")
    asked = (await sandbox.get("/sandbox/llm/requests")).json()["requests"]
    prompt = str(asked[-1]["body"]["messages"])
    assert reference in prompt and customer.phone not in prompt

    await sandbox.put("/sandbox/llm/behaviour", json={"behaviour": "fail"})
    try:
        await signal_milestone(
            client, order_event("delivery_attempted", reference, step=4, phone=customer.phone)
        )
        templated = (await customer.received(3))[2]
    finally:
        await sandbox.put("/sandbox/llm/behaviour", json={"behaviour": "well"})
    assert "running late" not in templated and reference in templated
