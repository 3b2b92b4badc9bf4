"""No request makes Herald answer 500: schema-driven fuzzing of the HTTP service.

Schemathesis generates requests (valid and invalid) from the service's own OpenAPI
description, which names every route, ``POST /twilio/status`` included; Hypothesis
generates signed status-callback forms, which a schema cannot (they need a signature).
Bounded: a fixed number of examples per operation, no deadline per example.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from twilio.request_validator import RequestValidator

from api.app import create_app
from store.migrate import upgrade
from tests.api.test_status_callbacks import RecordingClient
from tests.helpers.temporal import settings_for_tests

TOKEN = "fuzz-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EXAMPLES_PER_OPERATION = 40


class HealthyClient(RecordingClient):
    """The recording client of the status-callback tests, with a Temporal that is up."""

    class service_client:
        @staticmethod
        async def check_health() -> bool:
            return True


def _herald() -> Any:
    """The whole app (every router, the real store) with a recording Temporal client.

    Built at import: schemathesis reads the description when pytest collects the tests."""
    data_dir = Path(tempfile.mkdtemp(prefix="herald-fuzz-"))
    config = settings_for_tests(
        data_dir=data_dir, api_tokens=TOKEN, public_base_url="http://testserver"
    )
    upgrade(config.effective_database_url)
    return create_app(config, client=HealthyClient())  # type: ignore[arg-type]


HERALD = _herald()
schema = schemathesis.openapi.from_asgi("/openapi.json", HERALD, headers=AUTH)
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


@pytest.fixture(scope="module")
def herald() -> Any:
    return HERALD


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_request_gets_a_500(case: Any) -> None:
    response = case.call(headers=AUTH)

    assert response.status_code < 500, (case.as_curl_command(), response.text)


STATUS_URL = "http://testserver/twilio/status"
statuses = st.sampled_from(
    ["queued", "sent", "delivered", "undelivered", "failed", "read", "accepted", ""]
)
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=80)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    sid=st.one_of(st.just("SM" + "0" * 32), text),
    status=st.one_of(statuses, text),
    error_code=st.one_of(st.none(), st.sampled_from(["30003", "30007"]), text),
    message_key=st.one_of(st.none(), st.just(""), st.just(":"), st.just("wf:k:1:sms"), text),
    extra=st.dictionaries(text.filter(bool), text, max_size=3),
)
def test_no_signed_status_callback_gets_a_500(
    herald: Any,
    sid: str,
    status: str,
    error_code: str | None,
    message_key: str | None,
    extra: dict[str, str],
) -> None:
    form = {**extra, "MessageSid": sid, "MessageStatus": status}
    if error_code is not None:
        form["ErrorCode"] = error_code
    url = STATUS_URL
    if message_key is not None:
        from urllib.parse import quote

        url += "?message_key=" + quote(message_key, safe="")
    signature = RequestValidator(settings_for_tests().effective_twilio_auth_token)
    headers = {"X-Twilio-Signature": signature.compute_signature(url, form)}
    with TestClient(herald) as http:
        response = http.post(url, data=form, headers=headers)

    assert response.status_code < 500, (form, message_key, response.text)
    assert response.status_code in (204, 400, 403)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    body=st.binary(max_size=300),
    content_type=st.sampled_from(
        ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"]
    ),
)
def test_raw_bodies_at_the_webhooks_get_a_4xx(herald: Any, body: bytes, content_type: str) -> None:
    with TestClient(herald) as http:
        for path in ("/twilio/status", "/twilio/inbound"):
            headers = {"content-type": content_type, "X-Twilio-Signature": "forged"}
            response = http.post(path, content=body, headers=headers)
            assert 400 <= response.status_code < 500, (path, body, response.text)
