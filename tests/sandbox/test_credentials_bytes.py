"""The stand-ins refuse any credential they do not know, however it is spelt: a credential
with characters outside ASCII is a 401 as the provider answers it, never a 500 (Python's
constant-time comparison refuses such strings, so they are compared as bytes)."""

from __future__ import annotations

import base64

import pytest

from tests.sandbox.conftest import RunningSandbox

ODD = "ç\u0080é"


def basic(user: str, password: str) -> bytes:
    return b"Basic " + base64.b64encode(f"{user}:{password}".encode())


@pytest.mark.parametrize("provider", ["twilio", "vonage_sms", "vonage_reports", "plivo"])
def test_a_credential_outside_ascii_is_refused_not_a_crash(
    sandbox: RunningSandbox, provider: str
) -> None:
    settings, http = sandbox.settings, sandbox.http
    vonage_key, _, _ = settings.effective_vonage_credentials
    plivo_id, _ = settings.effective_plivo_credentials
    if provider == "twilio":
        sid = settings.effective_twilio_account_sid
        answer = http.post(
            f"/2010-04-01/Accounts/AC{ODD}/Messages.json",
            data={"To": "+14155550100", "From": settings.sms_sender, "Body": "x"},
            headers={"Authorization": basic(sid, ODD)},
        )
    elif provider == "vonage_sms":
        answer = http.post(
            "/sms/json",
            data={"api_key": vonage_key, "api_secret": ODD, "to": "14155550100", "text": "x"},
        )
    elif provider == "vonage_reports":
        answer = http.get(
            "/v2/reports/records",
            params={"account_id": vonage_key, "product": "SMS"},
            headers={"Authorization": basic(vonage_key, ODD)},
        )
    else:
        answer = http.post(
            f"/v1/Account/{plivo_id}/Message/",
            json={"src": "+14155550100", "dst": "+14155550101", "text": "x"},
            headers={"Authorization": basic(plivo_id, ODD)},
        )
    assert answer.status_code < 500, answer.text
    if provider == "vonage_sms":  # Vonage answers 200 with a status in the body
        assert answer.json()["messages"][0]["status"] != "0"
    else:
        assert answer.status_code == 401
