"""The Vonage adapter against the sandbox through the official SDK: send, per-part DLRs,
signatures, the look-up before a re-send, errors, inbound."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from providers.delivery_parts import MessageParts
from providers.errors import ProviderError
from providers.sms_provider import OutboundSms, SignedRequest
from providers.vonage_provider import VonageProvider, vonage_client_ref
from tests.providers.conftest import Hook, Receiver
from tests.sandbox.conftest import RunningSandbox

BRAZIL = "+5511987654321"
LONG = "Your parcel is on its way. " * 8  # 216 GSM-7 characters: two parts


def signed(hook: Hook) -> SignedRequest:
    return SignedRequest(hook.url, "POST", hook.params, hook.headers)


def finals(hooks: list[Hook], count: int) -> bool:
    return sum(1 for h in hooks if h.params.get("status") in ("delivered", "failed")) >= count


def world(sandbox: RunningSandbox, **conditions: object) -> None:
    sandbox.http.put("/sandbox/world/vonage", json=[{"report_delay_seconds": 0.05, **conditions}])


async def test_a_long_message_is_delivered_when_every_part_is(
    vonage: VonageProvider, receiver: Receiver, sandbox: RunningSandbox
) -> None:
    world(sandbox, price="0.0300")
    sent = await vonage.send(OutboundSms("order-1:shipped:sms:1", BRAZIL, LONG))

    assert sent.parts == 2 and len(set(sent.part_ids)) == 2
    assert sent.price == Decimal("0.0600")
    hooks = await asyncio.to_thread(receiver.wait_for, lambda h: finals(h, 2))
    assert {h.path for h in hooks} == {"/vonage/delivery"}  # short URL: the key is client-ref
    reports = [vonage.parse_delivery_report(signed(h)) for h in hooks]
    assert all(vonage.signature_is_valid(signed(h)) for h in hooks)
    assert {r.reference for r in reports} == {"order-1:shipped:sms:1"}
    assert [r.status for r in reports].count("sent") == 2  # "accepted" first, per part
    parts = MessageParts.expecting(sent.part_ids).with_reports(reports)
    assert parts.status == "delivered" and parts.final


async def test_one_failed_part_fails_the_message(
    vonage: VonageProvider, receiver: Receiver, sandbox: RunningSandbox
) -> None:
    world(sandbox, delivery_rate=0.0)
    sent = await vonage.send(OutboundSms("order-2", BRAZIL, LONG))
    hooks = await asyncio.to_thread(receiver.wait_for, lambda h: finals(h, 2))
    parts = MessageParts.expecting(sent.part_ids).with_reports(
        vonage.parse_delivery_report(signed(h)) for h in hooks
    )
    assert parts.status == "failed"
    assert parts.error_code is not None


async def test_forged_or_replayed_receipts_are_refused(
    vonage: VonageProvider, receiver: Receiver
) -> None:
    await vonage.send(OutboundSms("order-3", BRAZIL, "Shipped"))
    [hook, *_] = await asyncio.to_thread(receiver.wait_for, lambda h: finals(h, 1))
    genuine = signed(hook)
    assert vonage.signature_is_valid(genuine)
    tampered = dict(hook.params, status="delivered", **{"client-ref": "someone-else"})
    assert not vonage.signature_is_valid(SignedRequest(hook.url, "POST", tampered))
    unsigned = {k: v for k, v in hook.params.items() if k != "sig"}
    assert not vonage.signature_is_valid(SignedRequest(hook.url, "POST", unsigned))
    old = int(hook.params["timestamp"]) - 301  # a captured receipt replayed 5 minutes later
    stale = dict(hook.params, timestamp=str(old))
    assert not vonage.signature_is_valid(SignedRequest(hook.url, "POST", stale))


async def test_the_look_up_finds_the_message_by_client_ref_only_after_the_reports_lag(
    vonage: VonageProvider, sandbox: RunningSandbox
) -> None:
    sandbox.app.state.vonage.records_lag_seconds = 0.3
    sms = OutboundSms("order-4:shipped", BRAZIL, LONG)
    since = datetime.now(UTC) - timedelta(minutes=5)
    sent = await vonage.send(sms)
    # The remaining window: right after the send the Reports API does not list it yet.
    assert await vonage.find_sent(sms, since) is None
    await asyncio.sleep(0.4)
    found = await vonage.find_sent(sms, since)
    assert found is not None and found.part_ids == sent.part_ids
    other = OutboundSms("order-4:delivered", BRAZIL, LONG)
    assert await vonage.find_sent(other, since) is None


@pytest.mark.parametrize(
    ("conditions", "code", "retryable", "outage"),
    [
        ({"blocked": True}, "29", False, False),  # non-whitelisted destination
        ({"outages": [{"start": 0, "end": 4_000_000_000}]}, "503", True, True),
    ],
)
async def test_refusals_and_outages_are_told_apart(
    vonage: VonageProvider,
    sandbox: RunningSandbox,
    conditions: dict[str, object],
    code: str,
    retryable: bool,
    outage: bool,
) -> None:
    world(sandbox, **conditions)
    with pytest.raises(ProviderError) as caught:
        await vonage.send(OutboundSms("order-5", BRAZIL, "Shipped"))
    assert (caught.value.code, caught.value.retryable, caught.value.outage) == (
        code,
        retryable,
        outage,
    )


async def test_bad_credentials_are_permanent_though_vonage_answers_200(
    provider_settings: object,
) -> None:
    from pydantic import SecretStr

    settings = provider_settings.model_copy(  # type: ignore[attr-defined]
        update={
            "vonage_api_key": "herald01",
            "vonage_api_secret": SecretStr("wrong"),
            "vonage_signature_secret": SecretStr("herald-sandbox-vonage-signature-secret"),
            "vonage_rest_base_url": provider_settings.sandbox_base_url,  # type: ignore[attr-defined]
            "vonage_api_base_url": provider_settings.sandbox_base_url,  # type: ignore[attr-defined]
        }
    )
    provider = VonageProvider(settings)
    try:
        with pytest.raises(ProviderError) as caught:
            await provider.send(OutboundSms("order-6", BRAZIL, "Shipped"))
    finally:
        await provider.close()
    assert caught.value.code == "4" and not caught.value.retryable


async def test_throughput_beyond_30_a_second_is_throttled_and_retryable(
    vonage: VonageProvider, sandbox: RunningSandbox
) -> None:
    sandbox.app.state.vonage._recent_calls.extend([__import__("time").monotonic()] * 30)
    with pytest.raises(ProviderError) as caught:
        await vonage.send(OutboundSms("order-7", BRAZIL, "Shipped"))
    assert caught.value.code == "1"
    assert caught.value.retryable and not caught.value.outage


async def test_a_long_inbound_text_arrives_as_signed_parts(
    vonage: VonageProvider, receiver: Receiver, sandbox: RunningSandbox
) -> None:
    text = "Please call me tomorrow morning about the delivery. " * 4  # 208 characters
    sandbox.http.post(
        "/sandbox/vonage/inbound",
        json={
            "from": BRAZIL,
            "to": "+5511900000000",
            "text": text,
            "webhook_url": receiver.url("/vonage/inbound"),
        },
    ).raise_for_status()
    hooks = await asyncio.to_thread(receiver.wait_for, lambda h: len(h) >= 2)
    inbound = [vonage.parse_inbound(signed(h)) for h in hooks]
    assert all(vonage.signature_is_valid(signed(h)) for h in hooks)
    assert {m.from_ for m in inbound} == {BRAZIL} and {m.parts for m in inbound} == {2}
    ordered = sorted(hooks, key=lambda h: int(h.params["concat-part"]))
    assert "".join(h.params["text"] for h in ordered) == text
    assert len({h.params["concat-ref"] for h in hooks}) == 1


def test_client_ref_stays_within_vonage_limit() -> None:
    assert vonage_client_ref("k" * 100) == "k" * 100
    long_ref = vonage_client_ref("k" * 101)
    assert len(long_ref) <= 100 and long_ref.startswith("sha256:")
