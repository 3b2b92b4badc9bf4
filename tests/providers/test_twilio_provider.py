"""The Twilio adapter against the sandbox: it delegates sending and the look-up to
providers/sms.py and adds reports, replies and the signature check."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from providers.errors import ProviderError
from providers.sms_provider import OutboundSms, SignedRequest
from providers.twilio_provider import TwilioProvider
from sandbox.twilio_api import SANDBOX_MESSAGING_SERVICE
from tests.providers.conftest import Hook, Receiver
from tests.sandbox.conftest import RunningSandbox

US = "+14155552671"
# The SDK's aiohttp client uses aiohttp APIs that aiohttp now deprecates; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:.*deprecated.*:DeprecationWarning")


def signed(hook: Hook) -> SignedRequest:
    return SignedRequest(hook.url, "POST", hook.params, hook.headers)


async def test_send_report_and_signature(twilio: TwilioProvider, receiver: Receiver) -> None:
    sms = OutboundSms("order-1", US, "Shipped", receiver.url("/twilio/status?message_key=order-1"))
    sent = await twilio.send(sms)
    assert sent.part_ids == (sent.provider_message_id,) and sent.provider == "twilio"
    hooks = await asyncio.to_thread(
        receiver.wait_for, lambda h: any(x.params.get("MessageStatus") == "delivered" for x in h)
    )
    reports = [twilio.parse_delivery_report(signed(h)) for h in hooks]
    assert [r.status for r in reports][-2:] == ["sent", "delivered"]  # "sending" before
    assert all(twilio.signature_is_valid(signed(h)) for h in hooks)
    forged = dict(hooks[-1].params, MessageStatus="undelivered")
    assert not twilio.signature_is_valid(
        SignedRequest(hooks[-1].url, "POST", forged, hooks[-1].headers)
    )
    assert await twilio.fetch_status(sent.provider_message_id) == "delivered"


async def test_the_look_up_adopts_by_body_and_skips_known_messages(twilio: TwilioProvider) -> None:
    since = datetime.now(UTC) - timedelta(minutes=5)
    sms = OutboundSms("order-2", US, "Out for delivery")
    sent = await twilio.send(sms)
    found = await twilio.find_sent(sms, since)
    assert found is not None and found.provider_message_id == sent.provider_message_id
    assert await twilio.find_sent(sms, since, frozenset({sent.provider_message_id})) is None


def test_a_report_without_sid_is_refused(twilio: TwilioProvider) -> None:
    with pytest.raises(ValueError):
        twilio.parse_delivery_report(SignedRequest("http://x/", "POST", {"MessageStatus": "sent"}))


async def test_routings_messaging_service_sends_and_is_looked_up(
    twilio: TwilioProvider, sandbox: RunningSandbox
) -> None:
    """Routing's Twilio sender (a messaging service in config/routing.toml) is the one the
    message goes out from, and the one the look-up before a re-send reads."""
    since = datetime.now(UTC) - timedelta(minutes=5)
    sms = OutboundSms("order-7", US, "Delivered", sender=SANDBOX_MESSAGING_SERVICE)
    sent = await twilio.send(sms)
    record = sandbox.http.get("/sandbox/messages").json()["messages"][-1]
    assert record["sid"] == sent.provider_message_id
    assert record["messaging_service_sid"] == SANDBOX_MESSAGING_SERVICE
    found = await twilio.find_sent(sms, since)
    assert found is not None and found.provider_message_id == sent.provider_message_id


async def test_a_routing_sender_the_account_does_not_own_is_refused_by_twilio(
    twilio: TwilioProvider,
) -> None:
    """Twilio refuses a From number the account does not own (21606): proof the routing
    sender reaches the request instead of the configured one."""
    sms = OutboundSms("order-8", US, "Delivered", sender="+15017122661")
    with pytest.raises(ProviderError) as refused:
        await twilio.send(sms)
    assert refused.value.code == "21606" and not refused.value.retryable
