"""The support desk client against the sandbox support desk, served over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from config.conversation import ConversationSettings
from conversation.support_context import support_context_for
from domain.events import Customer, MilestoneEvent, Shipment
from domain.milestones import Kind, Milestone
from providers.errors import ProviderError
from providers.support import (
    ConversationLine,
    EmailSupportDesk,
    SupportContext,
    SupportDesk,
    SupportError,
    support_desk_for,
)
from sandbox.support import PREFIX
from tests.conversation.conftest import ConversationServer, free_port

CONTEXT = SupportContext(
    reason="call_me",
    workflow_id="order-A100",
    kind="order",
    reference="A100",
    customer_name="Ana Lima",
    customer_phone="+5511987654321",
    locale="pt-BR",
    milestone="delayed",
    carrier="Correios",
    tracking_id="BR123",
    conversation=(
        ConversationLine(
            at=datetime(2026, 11, 20, 9, tzinfo=UTC), direction="inbound", text="me liga"
        ),
    ),
)


def desk(server: ConversationServer) -> SupportDesk:
    return SupportDesk(server.base_url + PREFIX, api_key="k")


async def test_callback_opens_one_ticket_per_key(conversation_server: ConversationServer) -> None:
    async with desk(conversation_server) as support:
        first = await support.open_callback(CONTEXT)
        again = await support.open_callback(CONTEXT)
    assert first == again
    [request] = conversation_server.support.requests
    assert request["kind"] == "callback"
    assert request["context"]["reference"] == "A100"
    assert request["context"]["conversation"][0]["text"] == "me liga"


async def test_alert_is_listed_apart_from_callbacks(
    conversation_server: ConversationServer,
) -> None:
    alert = CONTEXT.model_copy(update={"reason": "delayed"})
    async with desk(conversation_server) as support:
        await support.open_callback(CONTEXT)
        alert_id = await support.alert(alert, idempotency_key="order-A100-delayed-ev1")
    async with httpx.AsyncClient(base_url=conversation_server.base_url) as http:
        answer = await http.get(f"{PREFIX}/requests", params={"kind": "alert"})
    listed = answer.json()["requests"]
    assert [(r["id"], r["idempotency_key"]) for r in listed] == [
        (alert_id, "order-A100-delayed-ev1")
    ]


async def test_unreachable_support_is_retryable() -> None:
    async with SupportDesk(f"http://127.0.0.1:{free_port()}", timeout_seconds=2) as support:
        with pytest.raises(SupportError) as raised:
            await support.alert(CONTEXT)
    assert raised.value.retryable is True


async def test_rejected_request_is_not_retryable(conversation_server: ConversationServer) -> None:
    async with SupportDesk(conversation_server.base_url + "/nowhere") as support:
        with pytest.raises(SupportError) as raised:
            await support.alert(CONTEXT)
    assert (raised.value.retryable, raised.value.http_status) == (False, 404)


class RecordingEmail:
    def __init__(self, error: ProviderError | None = None) -> None:
        self.sent: list[tuple[str, str, str, str]] = []
        self.error = error

    async def send(
        self, to: str, subject: str, text: str, html: str | None, message_id: str
    ) -> str:
        if self.error:
            raise self.error
        self.sent.append((to, subject, text, message_id))
        return message_id


def email_settings() -> ConversationSettings:
    return ConversationSettings(_env_file=None, support_email="team@herald.example")  # type: ignore[call-arg]


async def test_support_by_email_when_only_an_address_is_set() -> None:
    email = RecordingEmail()
    desk = support_desk_for(email_settings(), email)
    assert isinstance(desk, EmailSupportDesk)
    ticket = await desk.open_callback(CONTEXT)
    [(to, subject, text, message_id)] = email.sent
    assert (to, ticket) == ("team@herald.example", message_id)
    assert subject == "Call-back request: order A100 (call_me)"
    assert "customer phone: +5511987654321" in text
    assert "inbound: me liga" in text
    assert message_id == f"<{CONTEXT.idempotency_key('callback')}@support.herald>"


async def test_email_failures_keep_their_retryability() -> None:
    outage = ProviderError("SMTP unreachable", code=None, retryable=True)
    desk = support_desk_for(email_settings(), RecordingEmail(error=outage))
    with pytest.raises(SupportError) as raised:
        await desk.alert(CONTEXT)
    assert raised.value.retryable is True


def test_the_http_desk_is_the_default() -> None:
    settings = ConversationSettings(_env_file=None)  # type: ignore[call-arg]
    assert isinstance(support_desk_for(settings), SupportDesk)
    with pytest.raises(ValueError):
        support_desk_for(email_settings())


def test_support_context_carries_the_order_and_the_contacts() -> None:
    event = MilestoneEvent(
        event_id="ev-9",
        kind=Kind.ORDER,
        reference="A100",
        milestone=Milestone.DELIVERY_ATTEMPTED,
        occurred_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
        customer=Customer(name="Ana Lima", phone="+5511987654321", locale="pt-BR"),
        shipment=Shipment(carrier="Correios", tracking_id="BR123"),
        detail="Ninguem em casa",
    )
    context = support_context_for(event, "delivery_attempted", CONTEXT.conversation)
    assert (context.workflow_id, context.customer_phone, context.detail) == (
        "order-A100",
        "+5511987654321",
        "Ninguem em casa",
    )
    assert context.milestone == "delivery_attempted"
    assert context.conversation == CONTEXT.conversation
