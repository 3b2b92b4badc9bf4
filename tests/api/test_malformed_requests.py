"""The four requests that made Herald answer 500 (issue 15) now get a 4xx that says why."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads
from twilio.request_validator import RequestValidator

from privacy.codec import EncryptionCodec
from privacy.converter import codec_for
from tests.api.test_fuzz import AUTH, HERALD
from tests.helpers.events import order_event
from tests.helpers.temporal import settings_for_tests
from tests.privacy.test_codec import json_payload


@pytest.fixture(scope="module")
def http() -> Any:
    with TestClient(HERALD) as client:
        yield client


async def test_tampered_ciphertext_under_a_known_key_is_a_400(http: TestClient) -> None:
    codec: EncryptionCodec = codec_for(settings_for_tests())
    encrypted = (await codec.encode([json_payload(order_event("shipped", "A1"))]))[0]
    encrypted.data = encrypted.data[:-1] + bytes([encrypted.data[-1] ^ 1])
    body = json_format.MessageToJson(Payloads(payloads=[encrypted]))

    response = http.post("/codec/decode", content=body, headers=AUTH)

    assert response.status_code == 400
    assert "fails authentication" in response.text


def test_a_deeply_nested_payload_list_is_a_400(http: TestClient) -> None:
    body = '{"payloads": [{"metadata": {}, "data": "", "x": ' * 1 + "[" * 5000 + "]" * 5000 + "}]}"

    response = http.post("/codec/decode", content=body, headers=AUTH)

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        (
            "put",
            "/consent",
            '{"phone": "+14155550167", "state": "opted_out", "keyword": "\\ud800"}',
        ),
        ("post", "/consent/reply", '{"phone": "+14155550167", "text": "\\ud800"}'),
        ("post", "/consent/lookup", '{"phone": "\\ud800"}'),
        ("post", "/preferences/lookup", '{"email": "a\\udfff@example.com"}'),
        (
            "put",
            "/preferences",
            '{"contact": "+14155550167", "notification_type": "\\ud800", '
            '"channel": "sms", "enabled": true}',
        ),
    ],
)
def test_a_lone_surrogate_in_any_json_body_is_a_422(
    http: TestClient, method: str, path: str, body: str
) -> None:
    headers = {**AUTH, "content-type": "application/json"}

    response = http.request(method, path, content=body, headers=headers)

    assert response.status_code == 422, response.text
    assert "surrogate" in response.text or "phone" in response.text or "e-mail" in response.text


def test_a_body_that_is_not_json_is_a_400(http: TestClient) -> None:
    headers = {**AUTH, "content-type": "application/json"}

    assert http.post("/consent/lookup", content=b'{"phone": ', headers=headers).status_code == 400


@pytest.mark.parametrize("message_key", ["", ":", ":x", "x"])
def test_a_signed_callback_with_an_odd_message_key_is_not_a_500(
    http: TestClient, message_key: str
) -> None:
    url = f"http://testserver/twilio/status?message_key={message_key}"
    form = {"MessageSid": "SM" + "1" * 32, "MessageStatus": "delivered"}
    token = settings_for_tests().effective_twilio_auth_token
    headers = {"X-Twilio-Signature": RequestValidator(token).compute_signature(url, form)}

    assert http.post(url, data=form, headers=headers).status_code == 204


def test_a_signed_callback_with_a_status_that_is_not_a_word_is_a_400(http: TestClient) -> None:
    url = "http://testserver/twilio/status"
    form = {"MessageSid": "SM" + "1" * 32, "MessageStatus": "x" * 300}
    token = settings_for_tests().effective_twilio_auth_token
    headers = {"X-Twilio-Signature": RequestValidator(token).compute_signature(url, form)}

    response = http.post(url, data=form, headers=headers)

    assert response.status_code == 400 and "status" in response.text
