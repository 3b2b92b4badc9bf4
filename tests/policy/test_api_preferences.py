"""api.preferences: preferences and consent over HTTP against a real store."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.errors import install_error_handlers
from api.preferences import create_preferences_router
from config.policy import PolicySettings
from messaging.brand import Brand
from store.repository import Store
from tests.helpers.temporal import settings_for_tests

PHONE = "+14155550167"
EMAIL = "Ana@Example.com"
BRAND = Brand(
    name="Herald Shop",
    support_contact="support@herald.example",
    tracking_base_url="https://track.herald.example",
)


def client_for(store: Store, token: str = "") -> TestClient:
    policy = PolicySettings(_env_file=None)  # type: ignore[call-arg]
    settings = settings_for_tests(api_tokens=token)
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(create_preferences_router(store, settings, policy, BRAND))
    return TestClient(app, client=("127.0.0.1", 50000))  # a loopback caller


@pytest.fixture
def client(store: Store) -> TestClient:
    return client_for(store)


def preference(view: dict[str, Any], notification_type: str, channel: str) -> dict[str, Any]:
    return next(
        p
        for p in view["preferences"]
        if (p["notification_type"], p["channel"]) == (notification_type, channel)
    )


def test_everything_is_on_until_the_customer_says_otherwise(client: TestClient) -> None:
    response = client.post("/preferences/lookup", json={"phone": PHONE, "email": EMAIL})

    assert response.status_code == 200
    view = response.json()
    assert view["customer"] == ["+1********67", "a***@example.com"]
    assert len(view["preferences"]) == 5 * 3  # every type on every channel
    assert all(p["enabled"] for p in view["preferences"])
    assert preference(view, "refund", "sms")["critical"]


def test_turning_a_type_off_on_one_channel(client: TestClient) -> None:
    changed = client.put(
        "/preferences",
        json={
            "contact": "+1 415-555-0167",  # the same number, written as people do
            "notification_type": "order_progress",
            "channel": "sms",
            "enabled": False,
        },
    )
    view = client.post("/preferences/lookup", json={"phone": PHONE}).json()

    assert changed.status_code == 200
    assert changed.json()["enabled"] is False
    assert preference(view, "order_progress", "sms")["enabled"] is False
    assert preference(view, "order_progress", "sms")["source"] == "api"
    assert preference(view, "order_progress", "email")["enabled"] is True


def test_an_email_choice_counts_when_looked_up_with_the_phone_too(client: TestClient) -> None:
    client.put(
        "/preferences",
        json={
            "contact": EMAIL,
            "notification_type": "delivery_delay",
            "channel": "email",
            "enabled": False,
        },
    )

    view = client.post("/preferences/lookup", json={"phone": PHONE, "email": "ana@example.com"})

    assert preference(view.json(), "delivery_delay", "email")["enabled"] is False


def test_a_critical_type_cannot_be_turned_off(client: TestClient) -> None:
    response = client.put(
        "/preferences",
        json={"contact": PHONE, "notification_type": "refund", "channel": "sms", "enabled": False},
    )

    assert response.status_code == 422
    assert "critical" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            {"contact": "+1415", "notification_type": "refund", "channel": "sms", "enabled": True},
            "phone",
        ),
        (
            {"contact": "ana@", "notification_type": "refund", "channel": "sms", "enabled": True},
            "e-mail",
        ),
        (
            {"contact": PHONE, "notification_type": "marketing", "channel": "sms", "enabled": True},
            "unknown",
        ),
        (
            {"contact": PHONE, "notification_type": "refund", "channel": "fax", "enabled": True},
            "channel",
        ),
    ],
)
def test_bad_changes_are_refused(client: TestClient, body: dict[str, Any], problem: str) -> None:
    response = client.put("/preferences", json=body)

    assert response.status_code == 422
    assert problem in response.text


def test_a_lookup_needs_someone(client: TestClient) -> None:
    assert client.post("/preferences/lookup", json={}).status_code == 422


def test_consent_round_trip(client: TestClient) -> None:
    before = client.post("/consent/lookup", json={"phone": PHONE}).json()
    stopped = client.put(
        "/consent", json={"phone": PHONE, "state": "opted_out", "keyword": "STOP"}
    ).json()
    after = client.post("/consent/lookup", json={"phone": PHONE}).json()

    assert before == {
        "phone": "+1********67",
        "may_text": True,
        "state": None,
        "keyword": None,
        "source": None,
        "changed_at": None,
    }
    assert stopped["may_text"] is False
    assert (after["state"], after["keyword"], after["source"]) == ("opted_out", "STOP", "api")


def test_a_stop_reply_opts_out_and_is_confirmed_in_the_customer_language(
    client: TestClient,
) -> None:
    stop = client.post(
        "/consent/reply", json={"phone": PHONE, "text": " Arrêt! ", "locale": "fr-FR"}
    ).json()
    start = client.post("/consent/reply", json={"phone": PHONE, "text": "start"}).json()

    assert (stop["intent"], stop["keyword"]) == ("opt_out", "ARRET")
    assert stop["reply"].startswith("Herald Shop: vous ne recevrez plus de messages")
    assert stop["consent"]["may_text"] is False
    assert start["consent"]["may_text"] is True
    assert start["consent"]["source"] == "sms_reply"


@pytest.mark.parametrize(
    ("text", "locale", "keyword", "reply", "opt_in"),
    [
        ("「配信停止」", "ja-JP", "配信停止", "【Herald Shop】配信を停止しました", "再開"),
        ("退订", "zh-Hans", "退订", "【Herald Shop】您已退订", "订阅"),
        ("إيقاف", "ar-SA", "ايقاف", "Herald Shop: تم إلغاء اشتراكك", "اشتراك"),
    ],
)
def test_a_stop_reply_in_another_script_opts_out_and_is_stored(
    client: TestClient, text: str, locale: str, keyword: str, reply: str, opt_in: str
) -> None:
    stop = client.post(
        "/consent/reply", json={"phone": PHONE, "text": text, "locale": locale}
    ).json()

    assert (stop["intent"], stop["keyword"]) == ("opt_out", keyword)
    assert stop["reply"].startswith(reply)
    assert stop["consent"]["may_text"] is False
    stored = client.post("/consent/lookup", json={"phone": PHONE}).json()
    assert (stored["state"], stored["keyword"]) == ("opted_out", keyword)
    start = client.post("/consent/reply", json={"phone": PHONE, "text": opt_in}).json()
    assert (start["intent"], start["consent"]["may_text"]) == ("opt_in", True)


def test_help_answers_without_changing_consent(client: TestClient) -> None:
    outcome = client.post("/consent/reply", json={"phone": PHONE, "text": "help"}).json()

    assert outcome["intent"] == "help"
    assert "support@herald.example" in outcome["reply"]
    assert outcome["consent"]["state"] is None


def test_other_replies_change_nothing(client: TestClient) -> None:
    outcome = client.post("/consent/reply", json={"phone": PHONE, "text": "where is it?"}).json()

    assert outcome == {
        "keyword": None,
        "intent": None,
        "reply": None,
        "consent": {
            "phone": "+1********67",
            "may_text": True,
            "state": None,
            "keyword": None,
            "source": None,
            "changed_at": None,
        },
    }


def test_a_configured_token_is_required(store: Store) -> None:
    client = client_for(store, token="s3cret")
    body = {"phone": PHONE}

    assert client.post("/consent/lookup", json=body).status_code == 401
    assert (
        client.post(
            "/consent/lookup", json=body, headers={"Authorization": "Bearer nope"}
        ).status_code
        == 401
    )
    assert (
        client.post(
            "/consent/lookup", json=body, headers={"Authorization": "Bearer s3cret"}
        ).status_code
        == 200
    )


def test_contacts_never_reach_the_logs(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    client.put("/consent", json={"phone": PHONE, "state": "opted_out"})
    client.post("/preferences/lookup", json={"phone": PHONE, "email": EMAIL})
    client.put(
        "/preferences",
        json={"contact": "ana@", "notification_type": "x", "channel": "sms", "enabled": True},
    )

    assert PHONE not in caplog.text and "4155550167" not in caplog.text
    assert "example.com" not in caplog.text.lower()
