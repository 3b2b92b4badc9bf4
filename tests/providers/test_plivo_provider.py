"""The Plivo adapter against the sandbox through the official SDK: send, status callbacks
with their sequence, signatures, the look-up before a re-send, errors, inbound."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from providers.delivery_parts import MessageParts
from providers.errors import ProviderError
from providers.plivo_provider import PlivoProvider
from providers.sms_provider import OutboundSms, SignedRequest
from tests.providers.conftest import Hook, Receiver
from tests.sandbox.conftest import RunningSandbox

BRAZIL = "+5511987654321"
US = "+14155552671"


def signed(hook: Hook) -> SignedRequest:
    return SignedRequest(hook.url, "POST", hook.params, hook.headers)


def world(sandbox: RunningSandbox, **conditions: object) -> None:
    sandbox.http.put("/sandbox/world/plivo", json=[{"report_delay_seconds": 0.05, **conditions}])


def statuses(hooks: list[Hook]) -> list[str]:
    return [h.params["Status"] for h in hooks]


async def test_callbacks_follow_the_message_with_a_sequence_and_a_price_once_sent(
    plivo: PlivoProvider, receiver: Receiver, sandbox: RunningSandbox
) -> None:
    world(sandbox, price="0.0420")
    body = "Your parcel is on its way. " * 8  # two units, one message
    sent = await plivo.send(OutboundSms("order-1", BRAZIL, body, receiver.url("/plivo/status")))
    hooks = await asyncio.to_thread(receiver.wait_for, lambda h: "delivered" in statuses(h))

    assert statuses(hooks) == ["queued", "sent", "delivered"]
    assert all(plivo.signature_is_valid(signed(h)) for h in hooks)
    assert [h.params["Sequence"] for h in hooks] == ["1", "2", "3"]
    assert hooks[0].params["TotalAmount"] == "0"  # nothing charged while queued
    assert Decimal(hooks[-1].params["TotalAmount"]) == Decimal("0.0840")
    assert hooks[1].params["DeliveryReportTime"] == "" and hooks[-1].params["DeliveryReportTime"]
    reports = [plivo.parse_delivery_report(signed(h)) for h in hooks]
    assert {r.parent_id for r in reports} == {sent.provider_message_id}
    assert MessageParts.expecting(sent.part_ids).with_reports(reports).status == "delivered"
    # A late, older callback (a retried "sent") changes nothing after the final one.
    parts = MessageParts.expecting(sent.part_ids).with_reports([reports[2], reports[1]])
    assert parts.status == "delivered"


async def test_no_final_report_in_the_us(
    plivo: PlivoProvider, receiver: Receiver, sandbox: RunningSandbox
) -> None:
    world(sandbox)
    await plivo.send(OutboundSms("order-2", US, "Shipped", receiver.url("/plivo/status")))
    await asyncio.to_thread(receiver.wait_for, lambda h: "sent" in statuses(h))
    await asyncio.sleep(0.3)
    assert statuses(receiver.hooks) == ["queued", "sent"]
    assert not plivo.reports_delivery("US") and plivo.reports_delivery("BR")


async def test_a_failed_message_is_not_charged_and_names_its_error(
    plivo: PlivoProvider, receiver: Receiver, sandbox: RunningSandbox
) -> None:
    world(sandbox, delivery_rate=0.0, failure_status="failed", failure_code="420")
    await plivo.send(OutboundSms("order-3", BRAZIL, "Shipped", receiver.url("/plivo/status")))
    hooks = await asyncio.to_thread(receiver.wait_for, lambda h: "failed" in statuses(h))
    report = plivo.parse_delivery_report(signed(hooks[-1]))
    assert (report.status, report.error_code, report.price) == ("failed", "420", Decimal(0))


async def test_forged_callbacks_are_refused(plivo: PlivoProvider, receiver: Receiver) -> None:
    await plivo.send(OutboundSms("order-4", BRAZIL, "Shipped", receiver.url("/plivo/status")))
    [hook, *_] = await asyncio.to_thread(receiver.wait_for, lambda h: len(h) >= 1)
    assert plivo.signature_is_valid(signed(hook))
    forged = dict(hook.params, Status="delivered")
    assert not plivo.signature_is_valid(SignedRequest(hook.url, "POST", forged, hook.headers))
    other_url = SignedRequest(hook.url + "?x=1", "POST", hook.params, hook.headers)
    assert not plivo.signature_is_valid(other_url)
    assert not plivo.signature_is_valid(SignedRequest(hook.url, "POST", hook.params, {}))


async def test_the_look_up_adopts_the_newest_message_herald_does_not_hold(
    plivo: PlivoProvider, sandbox: RunningSandbox
) -> None:
    world(sandbox)
    since = datetime.now(UTC) - timedelta(minutes=5)
    first = await plivo.send(OutboundSms("order-5:a", BRAZIL, "Shipped"))
    second = await plivo.send(OutboundSms("order-5:b", BRAZIL, "Delivered"))
    sms = OutboundSms("order-5:b", BRAZIL, "Delivered")
    found = await plivo.find_sent(sms, since, known_ids=frozenset({first.provider_message_id}))
    assert found is not None and found.provider_message_id == second.provider_message_id
    held = frozenset({first.provider_message_id, second.provider_message_id})
    assert await plivo.find_sent(sms, since, known_ids=held) is None
    assert await plivo.find_sent(sms, datetime.now(UTC) + timedelta(minutes=1)) is None


async def test_the_listing_rate_limit_makes_the_look_up_refuse_to_guess(
    plivo: PlivoProvider, sandbox: RunningSandbox
) -> None:
    sandbox.app.state.plivo.list_requests_per_minute = 2
    try:
        sms = OutboundSms("order-6", BRAZIL, "Shipped")
        since = datetime.now(UTC) - timedelta(minutes=5)
        for _ in range(2):
            await plivo.find_sent(sms, since)
        with pytest.raises(ProviderError) as caught:
            await plivo.find_sent(sms, since)
    finally:
        sandbox.app.state.plivo.list_requests_per_minute = 20
    # The SDK cannot read the 429's body (no "objects"); the adapter says it cannot tell.
    assert caught.value.code == "listing" and caught.value.retryable
    assert not caught.value.outage


@pytest.mark.parametrize(
    ("conditions", "status", "retryable", "outage"),
    [
        ({"blocked": True}, 403, False, False),  # geo permission
        ({"outages": [{"start": 0, "end": 4_000_000_000}]}, 503, True, True),
    ],
)
async def test_refusals_and_outages_are_told_apart(
    plivo: PlivoProvider,
    sandbox: RunningSandbox,
    conditions: dict[str, object],
    status: int,
    retryable: bool,
    outage: bool,
) -> None:
    world(sandbox, **conditions)
    with pytest.raises(ProviderError) as caught:
        await plivo.send(OutboundSms("order-7", BRAZIL, "Shipped"))
    error = caught.value
    assert (error.http_status, error.retryable, error.outage) == (status, retryable, outage)


async def test_an_inbound_reply_is_signed_and_parsed(
    plivo: PlivoProvider, receiver: Receiver, sandbox: RunningSandbox
) -> None:
    sandbox.http.post(
        "/sandbox/plivo/inbound",
        json={
            "from": BRAZIL,
            "to": "+15005550007",
            "text": "STOP",
            "webhook_url": receiver.url("/plivo/inbound"),
        },
    ).raise_for_status()
    [hook] = await asyncio.to_thread(receiver.wait_for, lambda h: len(h) >= 1)
    assert plivo.signature_is_valid(signed(hook))
    inbound = plivo.parse_inbound(signed(hook))
    assert (inbound.from_, inbound.body, inbound.provider) == (BRAZIL, "STOP", "plivo")


async def test_the_look_up_finds_a_message_sent_from_routings_sender(
    plivo: PlivoProvider, sandbox: RunningSandbox
) -> None:
    """Routing may give a country its own sender: the look-up must match that one, or
    it finds nothing and the message is sent twice."""
    world(sandbox)
    since = datetime.now(UTC) - timedelta(minutes=5)
    sms = OutboundSms("order-6:a", BRAZIL, "Shipped", sender="+5511999990000")
    sent = await plivo.send(sms)
    found = await plivo.find_sent(sms, since)
    assert found is not None and found.provider_message_id == sent.provider_message_id
