"""Signed webhooks from the sandbox: delivery status callbacks and inbound SMS."""

from __future__ import annotations

import time

from twilio.request_validator import RequestValidator
from twilio.rest import Client

from config.settings import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN
from tests.sandbox.conftest import CALLBACK_DELAY_SECONDS, RunningSandbox, WebhookReceiver

SENDER = "+15005550006"
validator = RequestValidator(SANDBOX_AUTH_TOKEN)


def _assert_signed(webhook_url: str, params: dict[str, str], signature: str | None) -> None:
    assert signature, "X-Twilio-Signature missing"
    assert validator.validate(webhook_url, params, signature)


def test_delivered_message_reports_each_change(
    sandbox: RunningSandbox, twilio_client: Client, webhook_receiver: WebhookReceiver
) -> None:
    # An escaped character, as in Herald's own message keys: the callback must reach the
    # URL exactly as it was signed, not a requoted form of it.
    path = "/webhooks/twilio/status?order=42&key=order-42%3Ashipped"
    callback_url = webhook_receiver.url(path)
    message = twilio_client.messages.create(
        to="+15552220001", from_=SENDER, body="Out for delivery", status_callback=callback_url
    )

    sending, sent, delivered = webhook_receiver.wait_for(3)
    assert [c.params["MessageStatus"] for c in (sending, sent, delivered)] == [
        "sending",
        "sent",
        "delivered",
    ]
    for callback in (sending, sent, delivered):
        assert callback.path == path
        _assert_signed(callback_url, callback.params, callback.headers.get("X-Twilio-Signature"))
        assert callback.params["MessageSid"] == callback.params["SmsSid"] == message.sid
        assert callback.params["AccountSid"] == SANDBOX_ACCOUNT_SID
        assert (callback.params["From"], callback.params["To"]) == (SENDER, "+15552220001")
        assert callback.params["SmsStatus"] == callback.params["MessageStatus"]
        assert callback.params["ApiVersion"] == "2010-04-01"
        assert "ErrorCode" not in callback.params
    assert twilio_client.messages(message.sid).fetch().status == "delivered"

    callbacks = sandbox.wait_for_callbacks(message.sid, 3)
    assert [(c["message_status"], c["http_status"]) for c in callbacks] == [
        ("sending", 200),
        ("sent", 200),
        ("delivered", 200),
    ]


def test_a_tampered_callback_would_not_validate(
    twilio_client: Client, webhook_receiver: WebhookReceiver
) -> None:
    callback_url = webhook_receiver.url("/status")
    twilio_client.messages.create(
        to="+15552220002", from_=SENDER, body="hi", status_callback=callback_url
    )
    sent, *_ = webhook_receiver.wait_for(1)
    forged = {**sent.params, "MessageStatus": "delivered"}
    assert not validator.validate(callback_url, forged, sent.headers["X-Twilio-Signature"])


def test_undelivered_rule_reports_error_code(
    sandbox: RunningSandbox, twilio_client: Client, webhook_receiver: WebhookReceiver
) -> None:
    rule = {"to": "+1555222*", "final_status": "undelivered", "final_error_code": 30003}
    sandbox.http.post("/sandbox/rules", json=rule).raise_for_status()
    callback_url = webhook_receiver.url("/status")
    message = twilio_client.messages.create(
        to="+15552220003", from_=SENDER, body="hi", status_callback=callback_url
    )

    _sending, sent, final = webhook_receiver.wait_for(3)
    assert sent.params["MessageStatus"] == "sent" and "ErrorCode" not in sent.params
    assert final.params["MessageStatus"] == "undelivered"
    assert final.params["ErrorCode"] == "30003"
    _assert_signed(callback_url, final.params, final.headers.get("X-Twilio-Signature"))

    fetched = twilio_client.messages(message.sid).fetch()
    assert (fetched.status, fetched.error_code) == ("undelivered", 30003)
    assert fetched.error_message == "Unreachable destination handset"


def test_rule_callback_delay_overrides_the_default(
    sandbox: RunningSandbox, twilio_client: Client, webhook_receiver: WebhookReceiver
) -> None:
    sandbox.http.post("/sandbox/rules", json={"to": "+15552220004", "callback_delay_seconds": 0.4})
    started = time.monotonic()
    twilio_client.messages.create(
        to="+15552220004", from_=SENDER, body="hi", status_callback=webhook_receiver.url("/s")
    )
    webhook_receiver.wait_for(3)
    assert time.monotonic() - started >= 0.4


def test_lost_report_sends_no_final_callback(
    sandbox: RunningSandbox, twilio_client: Client, webhook_receiver: WebhookReceiver
) -> None:
    sandbox.http.post("/sandbox/rules", json={"to": "+15552220005", "send_callbacks": False})
    message = twilio_client.messages.create(
        to="+15552220005", from_=SENDER, body="hi", status_callback=webhook_receiver.url("/s")
    )

    _sending, sent = webhook_receiver.wait_for(2)
    assert sent.params["MessageStatus"] == "sent"
    time.sleep(CALLBACK_DELAY_SECONDS * 6)  # well past when the final report would have come
    assert len(webhook_receiver.received) == 2
    # The API still knows the outcome, so a client that polls can recover it.
    assert twilio_client.messages(message.sid).fetch().status == "delivered"


def test_unreachable_callback_url_is_recorded_not_fatal(
    sandbox: RunningSandbox, twilio_client: Client
) -> None:
    dead_url = "http://127.0.0.1:9/status"  # discard port: nothing listens
    message = twilio_client.messages.create(
        to="+15552220006", from_=SENDER, body="hi", status_callback=dead_url
    )
    # Each change tried twice: Twilio retries a webhook once when it cannot connect.
    callbacks = sandbox.wait_for_callbacks(message.sid, 6)
    assert [c["message_status"] for c in callbacks] == [
        s for s in ("sending", "sent", "delivered") for _ in range(2)
    ]
    assert all(c["http_status"] is None and c["error"] for c in callbacks)
    assert twilio_client.messages(message.sid).fetch().status == "delivered"
    assert sandbox.http.get("/health").status_code == 200


def test_reset_cancels_pending_callbacks(
    sandbox: RunningSandbox, twilio_client: Client, webhook_receiver: WebhookReceiver
) -> None:
    sandbox.http.post("/sandbox/rules", json={"to": "+15552220007", "callback_delay_seconds": 0.5})
    twilio_client.messages.create(
        to="+15552220007", from_=SENDER, body="hi", status_callback=webhook_receiver.url("/s")
    )
    webhook_receiver.wait_for(2)
    sandbox.reset()
    time.sleep(0.7)
    assert [w.params["MessageStatus"] for w in webhook_receiver.received] == ["sending", "sent"]


def test_inbound_sms_posts_a_signed_webhook(sandbox: RunningSandbox) -> None:
    twiml = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Got it</Message></Response>'
    receiver = WebhookReceiver(response_body=twiml, content_type="application/xml")
    try:
        webhook_url = receiver.url("/webhooks/twilio/inbound")
        response = sandbox.http.post(
            "/sandbox/inbound",
            json={
                "from": "+15553330001",
                "to": SENDER,
                "body": "STOP",
                "webhook_url": webhook_url,
            },
        )
        assert response.status_code == 200
        result = response.json()
        assert result["status_code"] == 200
        assert result["response_body"] == twiml

        [webhook] = receiver.wait_for(1)
        _assert_signed(webhook_url, webhook.params, webhook.headers.get("X-Twilio-Signature"))
        params = webhook.params
        assert (params["From"], params["To"], params["Body"]) == ("+15553330001", SENDER, "STOP")
        assert params["MessageSid"] == params["SmsSid"] == result["message_sid"]
        assert params["AccountSid"] == SANDBOX_ACCOUNT_SID
        assert (params["NumMedia"], params["NumSegments"]) == ("0", "1")
        assert params["SmsStatus"] == "received"
        assert params["ApiVersion"] == "2010-04-01"
    finally:
        receiver.close()


def test_inbound_to_an_unreachable_webhook_reports_502(sandbox: RunningSandbox) -> None:
    response = sandbox.http.post(
        "/sandbox/inbound",
        json={
            "from": "+15553330002",
            "to": SENDER,
            "body": "hi",
            "webhook_url": "http://127.0.0.1:9/",
        },
    )
    assert response.status_code == 502
    assert response.json()["status_code"] is None
