"""What the Vonage and Plivo stand-ins refuse and how they answer, over plain HTTP: the
unkind parts an SDK hides (Vonage's 200 for errors, the Reports API's limits, Plivo's
listing limits), and webhook retries on anything but a 2xx answer."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime, timedelta

import pytest

from config.settings import (
    SANDBOX_PLIVO_AUTH_ID,
    SANDBOX_PLIVO_AUTH_TOKEN,
    SANDBOX_VONAGE_API_KEY,
    SANDBOX_VONAGE_API_SECRET,
)
from tests.providers.conftest import Receiver
from tests.sandbox.conftest import RunningSandbox

VONAGE_AUTH = {"api_key": SANDBOX_VONAGE_API_KEY, "api_secret": SANDBOX_VONAGE_API_SECRET}
PLIVO_BASIC = (
    "Basic "
    + base64.b64encode(f"{SANDBOX_PLIVO_AUTH_ID}:{SANDBOX_PLIVO_AUTH_TOKEN}".encode()).decode()
)
PLIVO_MESSAGES = f"/v1/Account/{SANDBOX_PLIVO_AUTH_ID}/Message/"
VONAGE_BASIC = (
    "Basic "
    + base64.b64encode(f"{SANDBOX_VONAGE_API_KEY}:{SANDBOX_VONAGE_API_SECRET}".encode()).decode()
)


@pytest.fixture
def receiver() -> Receiver:
    hooks = Receiver()
    yield hooks  # type: ignore[misc]
    hooks.close()


@pytest.mark.parametrize(
    ("form", "status", "text"),
    [
        ({"api_key": SANDBOX_VONAGE_API_KEY, "api_secret": "nope"}, "4", "Bad Credentials"),
        ({**VONAGE_AUTH, "from": "Herald", "text": "hi"}, "2", "Missing to param"),
        (
            {**VONAGE_AUTH, "to": "+5511987654321", "from": "Herald", "text": "hi"},
            "3",
            "Invalid to address",
        ),
        (
            {**VONAGE_AUTH, "to": "447400123456", "from": "Herald Shop Ltd", "text": "hi"},
            "15",
            "Illegal Sender",
        ),
        (  # an alphanumeric id where carriers refuse one
            {**VONAGE_AUTH, "to": "5511987654321", "from": "Herald", "text": "hi"},
            "15",
            "Illegal Sender",
        ),
        (
            {
                **VONAGE_AUTH,
                "to": "5511987654321",
                "from": "18005550100",
                "text": "hi",
                "callback": "http://x/" + "c" * 100,
            },
            "23",
            "Invalid Callback",
        ),
    ],
)
def test_vonage_answers_errors_with_http_200_and_a_status(
    sandbox: RunningSandbox, form: dict[str, str], status: str, text: str
) -> None:
    response = sandbox.http.post("/sms/json", data=form)
    assert response.status_code == 200
    [message] = response.json()["messages"]
    assert message["status"] == status and message["error-text"].startswith(text)


def test_vonage_reports_api_limits(sandbox: RunningSandbox) -> None:
    now = datetime.now(UTC)
    base = {"account_id": SANDBOX_VONAGE_API_KEY, "product": "SMS", "direction": "outbound"}
    headers = {"Authorization": VONAGE_BASIC}
    too_long = {
        **base,
        "date_start": (now - timedelta(hours=25)).isoformat(),
        "date_end": now.isoformat(),
    }
    assert (
        sandbox.http.get("/v2/reports/records", params=too_long, headers=headers).status_code == 422
    )
    both = {**base, "id": "x", "date_start": now.isoformat(), "date_end": now.isoformat()}
    assert sandbox.http.get("/v2/reports/records", params=both, headers=headers).status_code == 422
    assert sandbox.http.get("/v2/reports/records", params=base).status_code == 401  # Basic only
    exactly_24h = {
        **base,
        "date_start": (now - timedelta(hours=24)).isoformat(),
        "date_end": now.isoformat(),
    }
    answer = sandbox.http.get("/v2/reports/records", params=exactly_24h, headers=headers)
    assert answer.status_code == 200 and answer.json()["records"] == []


def test_vonage_retries_a_receipt_that_was_not_accepted(
    sandbox: RunningSandbox, receiver: Receiver
) -> None:
    vonage = sandbox.app.state.vonage
    vonage.webhooks.retry_delays_seconds = [0.05, 0.05]
    sandbox.http.put("/sandbox/world/vonage", json=[{"report_delay_seconds": 0.01}])
    receiver.status = 500
    form = {
        **VONAGE_AUTH,
        "to": "5511987654321",
        "from": "18005550100",
        "text": "hi",
        "callback": receiver.url("/dlr"),
    }
    assert sandbox.http.post("/sms/json", data=form).json()["messages"][0]["status"] == "0"
    hooks = receiver.wait_for(lambda h: len(h) >= 6)  # accepted x3, delivered x3
    assert [h.params["status"] for h in hooks].count("delivered") == 3
    vonage.webhooks.retry_delays_seconds = [1.0, 5.0, 30.0]


def plivo_send(sandbox: RunningSandbox, **payload: object) -> object:
    return sandbox.http.post(PLIVO_MESSAGES, json=payload, headers={"Authorization": PLIVO_BASIC})


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"src": "15005550007", "text": "hi"}, 400),  # no dst
        ({"dst": "5511987654321", "text": "hi"}, 400),  # no src
        ({"src": "5511987654321", "dst": "5511987654321", "text": "hi"}, 400),
        ({"src": "15005550007", "dst": "5511987654321"}, 400),  # no text
    ],
)
def test_plivo_refuses_incomplete_sends(
    sandbox: RunningSandbox, payload: dict[str, str], status: int
) -> None:
    response = plivo_send(sandbox, **payload)
    assert response.status_code == status and "error" in response.json()  # type: ignore[attr-defined]


def test_plivo_wants_its_own_account_in_the_path(sandbox: RunningSandbox) -> None:
    other = "/v1/Account/MAOTHERACCOUNT0000001/Message/"
    response = sandbox.http.post(other, json={}, headers={"Authorization": PLIVO_BASIC})
    assert response.status_code == 401


def test_plivo_listing_limits(sandbox: RunningSandbox) -> None:
    headers = {"Authorization": PLIVO_BASIC}
    assert (
        sandbox.http.get(PLIVO_MESSAGES, params={"limit": 21}, headers=headers).status_code == 400
    )
    assert plivo_send(sandbox, src="15005550007", dst="5511987654321", text="hi").status_code == 202  # type: ignore[attr-defined]
    listed = sandbox.http.get(PLIVO_MESSAGES, params={"limit": 20}, headers=headers).json()
    assert len(listed["objects"]) == 1 and listed["meta"]["next"] is None
    # Without a time filter, only the last 24 hours: an older message would not show.
    past = (datetime.now(UTC) + timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M")
    later = sandbox.http.get(PLIVO_MESSAGES, params={"message_time__gt": past}, headers=headers)
    assert later.json()["objects"] == []


def test_world_settings_are_read_and_replaced_at_run_time(sandbox: RunningSandbox) -> None:
    start = time.time()
    conditions = [
        {"country": "BR", "delivery_rate": 0.97, "outages": [{"start": start, "end": start + 120}]}
    ]
    assert sandbox.http.put("/sandbox/world/plivo", json=conditions).status_code == 200
    [stored] = sandbox.http.get("/sandbox/world/plivo").json()["conditions"]
    assert stored["delivery_rate"] == 0.97 and stored["outages"][0]["end"] == start + 120
    assert plivo_send(sandbox, src="15005550007", dst="5511987654321", text="hi").status_code == 503  # type: ignore[attr-defined]
    assert plivo_send(sandbox, src="15005550007", dst="14155552671", text="hi").status_code == 202  # type: ignore[attr-defined]
    assert sandbox.http.put("/sandbox/world/plivo", json=[{"delivery_rate": 2}]).status_code == 422
