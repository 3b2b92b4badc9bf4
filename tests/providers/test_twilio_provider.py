"""The Twilio adapter against the sandbox: it delegates sending and the look-up to
providers/sms.py and adds reports, replies and the signature check."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from providers.sms_provider import OutboundSms, SignedRequest
from providers.twilio_provider import TwilioProvider
from tests.providers.conftest import Hook, Receiver

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
