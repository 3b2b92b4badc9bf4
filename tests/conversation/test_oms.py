"""The OMS client against the sandbox OMS, served for real over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from providers.oms import OmsClient, OmsError, OrderNotFound, SlotUnavailable
from sandbox.oms import PREFIX, SandboxOms, create_oms_router
from tests.conversation.conftest import ConversationServer, free_port

FIXED_NOW = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)


def oms_client(server: ConversationServer, **kwargs: float) -> OmsClient:
    return OmsClient(server.base_url + PREFIX, api_key="k", **kwargs)


def test_sandbox_slots_are_deterministic_relative_to_today() -> None:
    app = FastAPI()
    app.include_router(create_oms_router(SandboxOms(clock=lambda: FIXED_NOW)))
    slots = TestClient(app).get(f"{PREFIX}/orders/A100/delivery-slots").json()["slots"]
    assert [s["id"] for s in slots[:3]] == ["2026-11-21-am", "2026-11-21-pm", "2026-11-22-am"]
    assert slots[0]["start"] == "2026-11-21T09:00:00+00:00"
    assert len(slots) == 6


async def test_slots_then_reschedule_records_one_booking(
    conversation_server: ConversationServer,
) -> None:
    async with oms_client(conversation_server) as oms:
        slots = await oms.delivery_slots("A100")
        assert slots == sorted(slots, key=lambda s: s.start)
        first = await oms.reschedule("A100", slots[1].id, idempotency_key="wf-A100-1")
        again = await oms.reschedule("A100", slots[1].id, idempotency_key="wf-A100-1")
    assert first == again
    assert first.slot == slots[1]
    assert len(conversation_server.oms.bookings) == 1
    assert conversation_server.oms.bookings[0]["reference"] == "A100"


async def test_bookings_are_listed(conversation_server: ConversationServer) -> None:
    async with oms_client(conversation_server) as oms:
        slot = (await oms.delivery_slots("A100"))[0]
        await oms.reschedule("A100", slot.id, idempotency_key="k1")
    async with httpx.AsyncClient(base_url=conversation_server.base_url) as http:
        listed = (await http.get(f"{PREFIX}/bookings")).json()["bookings"]
    assert [b["slot"]["id"] for b in listed] == [slot.id]


async def test_unknown_order_is_not_retryable(conversation_server: ConversationServer) -> None:
    async with oms_client(conversation_server) as oms:
        with pytest.raises(OrderNotFound) as raised:
            await oms.delivery_slots("missing-1")
    assert raised.value.retryable is False


async def test_unoffered_slot_is_not_retryable(conversation_server: ConversationServer) -> None:
    async with oms_client(conversation_server) as oms:
        with pytest.raises(SlotUnavailable) as raised:
            await oms.reschedule("A100", "1999-01-01-am", idempotency_key="k")
    assert raised.value.retryable is False


async def test_outage_is_retryable_and_passes(conversation_server: ConversationServer) -> None:
    conversation_server.oms.failures = conversation_server.oms.failures.model_copy(
        update={"status": 503, "times": 1}
    )
    async with oms_client(conversation_server) as oms:
        with pytest.raises(OmsError) as raised:
            await oms.delivery_slots("A100")
        assert raised.value.retryable is True
        assert raised.value.http_status == 503
        assert await oms.delivery_slots("A100")  # the retry succeeds


async def test_bad_request_is_not_retryable(conversation_server: ConversationServer) -> None:
    conversation_server.oms.failures = conversation_server.oms.failures.model_copy(
        update={"status": 400, "times": 1}
    )
    async with oms_client(conversation_server) as oms:
        with pytest.raises(OmsError) as raised:
            await oms.delivery_slots("A100")
    assert raised.value.retryable is False


async def test_unreachable_oms_is_retryable() -> None:
    async with OmsClient(f"http://127.0.0.1:{free_port()}", timeout_seconds=2) as oms:
        with pytest.raises(OmsError) as raised:
            await oms.delivery_slots("A100")
    assert raised.value.retryable is True


async def test_wrong_shape_is_not_retryable() -> None:
    answer_nonsense = httpx.MockTransport(lambda _: httpx.Response(200, json={"nope": 1}))
    async with OmsClient("http://oms.test", transport=answer_nonsense) as oms:
        with pytest.raises(OmsError) as raised:
            await oms.delivery_slots("A100")
    assert (raised.value.retryable, raised.value.code) == (False, "oms-bad-answer")
