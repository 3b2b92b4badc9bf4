"""The support desk client against the sandbox support desk, served over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from providers.support import ConversationLine, SupportContext, SupportDesk, SupportError
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
