"""The push sink: bearer auth, idempotency and token rules."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.app import create_sandbox_app
from tests.sandbox.conftest import RunningSandbox, sandbox_settings

AUTH = {"Authorization": "Bearer herald-test-key"}


def _push(token: str = "device-1", key: str | None = "order-42-shipped") -> dict[str, Any]:
    return {
        "token": token,
        "title": "Shipped",
        "body": "Your order is on its way",
        "data": {"order_id": "42"},
        "idempotency_key": key,
    }


def test_push_is_recorded(sandbox: RunningSandbox) -> None:
    response = sandbox.http.post("/push/send", json=_push(), headers=AUTH)
    assert response.status_code == 200
    result = response.json()
    assert result["id"].startswith("push-")
    assert result["duplicate"] is False

    [received] = sandbox.http.get("/sandbox/push").json()["pushes"]
    assert received["id"] == result["id"]
    assert (received["token"], received["title"]) == ("device-1", "Shipped")
    assert received["data"] == {"order_id": "42"}


def test_same_idempotency_key_returns_first_id_once(sandbox: RunningSandbox) -> None:
    first = sandbox.http.post("/push/send", json=_push(), headers=AUTH).json()
    second = sandbox.http.post("/push/send", json=_push(), headers=AUTH).json()
    other = sandbox.http.post("/push/send", json=_push(key="order-42-delivered"), headers=AUTH)

    assert second == {"id": first["id"], "duplicate": True}
    assert other.json()["id"] != first["id"]
    pushes = sandbox.http.get("/sandbox/push").json()["pushes"]
    assert [p["idempotency_key"] for p in pushes] == ["order-42-shipped", "order-42-delivered"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer"}, {"Authorization": "Basic x"}])
def test_missing_bearer_key_is_refused(sandbox: RunningSandbox, headers: dict[str, str]) -> None:
    response = sandbox.http.post("/push/send", json=_push(), headers=headers)
    assert response.status_code == 401
    assert sandbox.http.get("/sandbox/push").json()["pushes"] == []


def test_invalid_payload_is_400(sandbox: RunningSandbox) -> None:
    response = sandbox.http.post("/push/send", json={"title": "no token"}, headers=AUTH)
    assert response.status_code == 400


def test_unregistered_token_rule_gives_410(sandbox: RunningSandbox) -> None:
    rule = {"to": "stale-*", "api_error_status": 410}
    sandbox.http.post("/sandbox/push/rules", json=rule).raise_for_status()

    gone = sandbox.http.post("/push/send", json=_push(token="stale-device"), headers=AUTH)
    assert (gone.status_code, gone.json()) == (410, {"error": "unregistered"})
    ok = sandbox.http.post("/push/send", json=_push(token="fresh-device"), headers=AUTH)
    assert ok.status_code == 200
    assert [p["token"] for p in sandbox.http.get("/sandbox/push").json()["pushes"]] == [
        "fresh-device"
    ]


def test_flaky_provider_then_retry_with_same_key_succeeds(sandbox: RunningSandbox) -> None:
    rule = {"to": "device-1", "api_error_status": 503, "fail_first_calls": 1}
    sandbox.http.put("/sandbox/push/rules", json=[rule]).raise_for_status()

    failed = sandbox.http.post("/push/send", json=_push(), headers=AUTH)
    assert failed.status_code == 503
    retried = sandbox.http.post("/push/send", json=_push(), headers=AUTH)
    assert retried.status_code == 200
    assert retried.json()["duplicate"] is False  # the failed attempt did not claim the key


def test_push_rules_are_separate_from_sms_rules(sandbox: RunningSandbox) -> None:
    sandbox.http.put("/sandbox/rules", json=[{"to": "*", "api_error_status": 500}])
    assert sandbox.http.post("/push/send", json=_push(), headers=AUTH).status_code == 200


def test_configured_key_is_required() -> None:
    settings = sandbox_settings(sandbox_smtp_port=0)
    server = RunningSandbox(create_sandbox_app(settings, push_api_key="right-key"), settings)
    server.start()
    try:
        wrong = server.http.post("/push/send", json=_push(), headers=AUTH)
        right = server.http.post(
            "/push/send", json=_push(), headers={"Authorization": "Bearer right-key"}
        )
    finally:
        server.stop()
    assert (wrong.status_code, right.status_code) == (401, 200)
