"""config.validation: settings the real provider would refuse stop Herald at start."""

from __future__ import annotations

import pytest

from config.validation import ConfigurationError, check, problems
from tests.helpers.temporal import settings_for_tests

REAL = {
    "twilio_account_sid": "AC" + "a1" * 16,
    "twilio_auth_token": "real-token",
    "public_base_url": "https://herald.shop.example",
    "sms_sender": "+14155550100",
}


def test_the_sandbox_defaults_start() -> None:
    assert problems(settings_for_tests()) == []


def test_real_credentials_with_a_good_configuration_start() -> None:
    assert problems(settings_for_tests(**REAL)) == []
    for sender in ("MG" + "0f" * 16, "12345", "+447700900123"):
        assert problems(settings_for_tests(**{**REAL, "sms_sender": sender})) == []


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"public_base_url": ""}, "HERALD_PUBLIC_BASE_URL"),  # http://127.0.0.1:8080
        ({"public_base_url": "http://localhost:8080"}, "HERALD_PUBLIC_BASE_URL"),
        ({"public_base_url": "https://10.1.2.3"}, "HERALD_PUBLIC_BASE_URL"),
        ({"public_base_url": "https://herald.internal"}, "HERALD_PUBLIC_BASE_URL"),
        ({"public_base_url": "ftp://herald.example"}, "HERALD_PUBLIC_BASE_URL"),
        ({"public_base_url": "/twilio"}, "HERALD_PUBLIC_BASE_URL"),
        ({"sms_sender": "Herald"}, "HERALD_SMS_SENDER"),
        ({"sms_sender": "4155550100"}, "HERALD_SMS_SENDER"),
        ({"sms_sender": "MG123"}, "HERALD_SMS_SENDER"),
        ({"twilio_auth_token": ""}, "HERALD_TWILIO_AUTH_TOKEN"),
        ({"twilio_account_sid": "ACnope"}, "HERALD_TWILIO_ACCOUNT_SID"),
    ],
)
def test_what_twilio_would_refuse_on_every_send_stops_the_start(
    change: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigurationError, match=named):
        check(settings_for_tests(**{**REAL, **change}))


def test_a_real_account_without_its_token_never_checks_against_a_constant() -> None:
    settings = settings_for_tests(**{**REAL, "twilio_auth_token": ""})

    assert settings.effective_twilio_auth_token == ""  # webhooks refused, not forgeable


def test_listening_beyond_loopback_needs_api_tokens() -> None:
    with pytest.raises(ConfigurationError, match="HERALD_API_TOKENS"):
        check(settings_for_tests(http_host="0.0.0.0"))
    check(settings_for_tests(http_host="0.0.0.0", api_tokens="t0ken"))
