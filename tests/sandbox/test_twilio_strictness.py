"""The sandbox refuses what Twilio refuses, and plays Twilio's own STOP handling."""

from __future__ import annotations

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from tests.sandbox.conftest import RunningSandbox, WebhookReceiver

SENDER = "+15005550006"


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"to": "+15551240001", "from_": SENDER, "body": "x" * 1601}, 21617),
        ({"to": "+15551240001", "from_": "+15551239999", "body": "hi"}, 21606),
        ({"to": "+15551240001", "from_": "Herald", "body": "hi"}, 21212),
        ({"to": SENDER, "from_": SENDER, "body": "hi"}, 21266),
        ({"to": "+15551240001", "messaging_service_sid": "MG" + "9" * 32, "body": "hi"}, 21701),
        (
            {"to": "+15551240001", "from_": SENDER, "body": "hi", "status_callback": "/status"},
            21609,
        ),
        (
            {
                "to": "+15551240001",
                "from_": SENDER,
                "body": "hi",
                "status_callback": "https://10.0.0.8/status",
            },
            21609,
        ),
    ],
)
def test_what_twilio_refuses_is_refused(
    sandbox: RunningSandbox, twilio_client: Client, arguments: dict[str, str], code: int
) -> None:
    with pytest.raises(TwilioRestException) as caught:
        twilio_client.messages.create(**arguments)

    assert (caught.value.status, caught.value.code) == (400, code)
    assert sandbox.messages() == []


def test_a_body_of_exactly_1600_characters_is_accepted(twilio_client: Client) -> None:
    message = twilio_client.messages.create(to="+15551240002", from_=SENDER, body="x" * 1600)
    assert message.num_segments == "11"


def test_a_number_that_texted_stop_gets_21610_until_start(
    sandbox: RunningSandbox, twilio_client: Client, webhook_receiver: WebhookReceiver
) -> None:
    def text(body: str) -> None:
        inbound = {"from": "+15551240003", "to": SENDER, "body": body}
        sandbox.http.post(
            "/sandbox/inbound", json={**inbound, "webhook_url": webhook_receiver.url("/in")}
        )

    text(" stop ")
    with pytest.raises(TwilioRestException) as caught:
        twilio_client.messages.create(to="+15551240003", from_=SENDER, body="hi")
    assert caught.value.code == 21610

    text("START")
    assert twilio_client.messages.create(to="+15551240003", from_=SENDER, body="hi").sid


def test_callbacks_can_come_shuffled_and_repeated(
    sandbox: RunningSandbox, twilio_client: Client, webhook_receiver: WebhookReceiver
) -> None:
    rule = {"to": "+15551240004", "shuffle_callbacks": True, "repeat_callbacks": 2}
    sandbox.http.post("/sandbox/rules", json=rule).raise_for_status()
    twilio_client.messages.create(
        to="+15551240004", from_=SENDER, body="hi", status_callback=webhook_receiver.url("/s")
    )

    received = [c.params["MessageStatus"] for c in webhook_receiver.wait_for(9)]

    assert sorted(received) == sorted(["sending", "sent", "delivered"] * 3)


def test_an_error_answer_is_not_retried(
    sandbox: RunningSandbox, twilio_client: Client, webhook_receiver: WebhookReceiver
) -> None:
    webhook_receiver.status = 500
    message = twilio_client.messages.create(
        to="+15551240005", from_=SENDER, body="hi", status_callback=webhook_receiver.url("/s")
    )

    callbacks = sandbox.wait_for_callbacks(message.sid, 3)

    assert [c["http_status"] for c in callbacks] == [500, 500, 500]  # once per change
