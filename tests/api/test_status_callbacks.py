"""The status-callback route with a real store and signature check, and a recording client."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from temporalio.service import RPCError, RPCStatusCode
from twilio.request_validator import RequestValidator

from activities.sms import SmsSent
from api.status_callbacks import create_status_router
from config.settings import Settings
from store.migrate import upgrade
from store.repository import Store
from tests.helpers.temporal import settings_for_tests
from tests.store.test_outbox import new_message

KEY = "order-A1%3Ashipped%3A1%3Asms"


class RecordingClient:
    """Stands in for the Temporal client: keeps the signals and activity completions."""

    def __init__(self) -> None:
        self.signals: list[tuple[str, str, Any]] = []
        self.completed: list[tuple[bytes, Any]] = []
        self.finished_tokens: set[bytes] = set()  # activities that timed out meanwhile

    def get_async_activity_handle(self, *, task_token: bytes) -> Any:
        client = self

        class Handle:
            async def complete(self, result: Any) -> None:
                if task_token in client.finished_tokens:
                    raise RPCError("activity not found", RPCStatusCode.NOT_FOUND, b"")
                client.completed.append((task_token, result))

        return Handle()

    def get_workflow_handle(self, workflow_id: str) -> Any:
        client = self

        class Handle:
            async def signal(self, name: str, arg: Any) -> None:
                client.signals.append((workflow_id, name, arg))

        return Handle()


@pytest.fixture
def route(tmp_path: Path) -> Iterator[tuple[TestClient, Settings, Store, RecordingClient]]:
    settings = settings_for_tests(data_dir=tmp_path, public_base_url="http://testserver")
    upgrade(settings.effective_database_url)
    store = Store.connect(settings.effective_database_url)
    client = RecordingClient()
    app = FastAPI()
    app.include_router(create_status_router(settings, store, client))  # type: ignore[arg-type]
    yield TestClient(app), settings, store, client
    store.close()


def post(http: TestClient, settings: Settings, params: dict[str, str]) -> int:
    url = f"http://testserver/twilio/status?message_key={KEY}"
    token = settings.effective_twilio_auth_token
    signature = RequestValidator(token).compute_signature(url, params)
    headers = {"X-Twilio-Signature": signature}
    return http.post(url, data=params, headers=headers).status_code


def sent_message(store: Store, sid: str, key: str = "order-A1:shipped:1:sms") -> None:
    """An SMS the provider accepted; nobody waits for its report."""
    now = datetime.now(UTC)
    message = replace(new_message(key), workflow_id=key.split(":", 1)[0])
    store.outbox.claim(message, now, calling=True)
    store.outbox.complete(key, sid, now)


def test_only_final_statuses_wake_the_workflow(route: Any) -> None:
    http, settings, store, client = route
    sent_message(store, "SM1")
    base = {"MessageSid": "SM1", "From": settings.sms_sender}

    assert post(http, settings, {**base, "MessageStatus": "sent"}) == 204
    assert post(http, settings, {**base, "MessageStatus": "delivered"}) == 204

    assert [(w, n, a.status) for w, n, a in client.signals] == [
        ("order-A1", "delivery_report", "delivered")
    ]


def test_a_full_carrier_queue_slows_the_sender_down(route: Any) -> None:
    http, settings, store, _client = route
    sent_message(store, "SM2")
    params = {
        "MessageSid": "SM2",
        "MessageStatus": "failed",
        "ErrorCode": "30001",
        "From": settings.sms_sender,
    }
    assert store.sender_limiter.rate_factor(settings.sms_sender, time.time()) == 1.0

    assert post(http, settings, params) == 204

    assert store.sender_limiter.rate_factor(settings.sms_sender, time.time()) == 0.5


def test_a_forged_callback_changes_nothing(route: Any) -> None:
    http, _settings, _store, client = route
    url = f"http://testserver/twilio/status?message_key={KEY}"
    forged = {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}
    data = {"MessageSid": "SM3", "MessageStatus": "delivered"}
    assert http.post(url, data=data, headers=forged).status_code == 403
    assert client.signals == []


def waiting_send(store: Store, sid: str, token: bytes) -> None:
    """An SMS the provider accepted, whose send activity waits for its final report."""
    key = "order-1:shipped:1:sms"
    now = datetime.now(UTC)
    store.outbox.claim(new_message(key), now, calling=True)
    store.outbox.complete(key, sid, now)
    assert store.statuses.await_final(key, token).registered


def test_a_final_report_completes_the_send_waiting_for_it_instead_of_a_signal(
    route: Any,
) -> None:
    http, settings, store, client = route
    waiting_send(store, "SM9", b"token-9")
    base = {"MessageSid": "SM9", "From": settings.sms_sender}

    assert post(http, settings, {**base, "MessageStatus": "sent"}) == 204
    assert (
        post(http, settings, {**base, "MessageStatus": "undelivered", "ErrorCode": "30005"}) == 204
    )

    [(token, sent)] = client.completed
    assert token == b"token-9" and client.signals == []
    assert (sent.provider_message_id, sent.provider_calls) == ("SM9", 1)
    report = sent.final_report
    assert (report.status, report.error_code) == ("undelivered", "30005")
    # One result for both send activities: the SMS as sent, for the one that decided too
    # (its decision stays with it), and SmsSent's fields for send_sms.
    assert (sent.decision, sent.body, sent.segments) == (None, "Your order has shipped", 1)
    assert sent.estimated_cost_usd == Decimal("0.0075")
    assert SmsSent.model_validate_json(sent.model_dump_json()).final_report == report


def test_a_send_that_stopped_waiting_gets_its_report_by_signal(route: Any) -> None:
    http, settings, store, client = route
    waiting_send(store, "SM10", b"token-10")
    client.finished_tokens.add(b"token-10")  # its wait timed out before the report came

    params = {"MessageSid": "SM10", "MessageStatus": "delivered", "From": settings.sms_sender}
    assert post(http, settings, params) == 204

    assert client.completed == []
    assert [(w, n, a.status) for w, n, a in client.signals] == [
        ("order-1", "delivery_report", "delivered")
    ]


def test_a_report_that_beats_the_sends_registration_is_left_for_the_send(route: Any) -> None:
    http, settings, store, client = route
    key = "order-1:shipped:1:sms"
    now = datetime.now(UTC)
    store.outbox.claim(replace(new_message(key), awaits_report=True), now, calling=True)
    store.outbox.complete(key, "SM11", now)

    params = {"MessageSid": "SM11", "MessageStatus": "delivered", "From": settings.sms_sender}
    assert post(http, settings, params) == 204

    assert client.signals == [] and client.completed == []  # the send returns it itself
    awaited = store.statuses.await_final(key, b"token-11")
    assert not awaited.registered and awaited.final is not None


def test_replays_of_a_callback_are_counted_not_stored_or_signalled(route: Any) -> None:
    http, settings, store, client = route
    sent_message(store, "SM20")
    delivered = {"MessageSid": "SM20", "MessageStatus": "delivered", "From": settings.sms_sender}

    for _ in range(300):
        assert post(http, settings, delivered) == 204

    assert len(client.signals) == 1  # the workflow's history grows by one signal, once
    history = store.statuses.history("order-A1:shipped:1:sms")
    assert [status for status, _code, _at in history] == ["accepted", "delivered"]
    assert store.statuses.repeats("order-A1:shipped:1:sms") == {"delivered": 299}


def test_a_late_contrary_report_leaves_the_first_final_status(route: Any) -> None:
    """Twilio reports every change in no guaranteed order: the store keeps what the
    workflow keeps, the first final status, and signals nothing more."""
    http, settings, store, client = route
    sent_message(store, "SM21")
    base = {"MessageSid": "SM21", "From": settings.sms_sender}

    for status in ("delivered", "sent", "undelivered", "queued"):
        assert post(http, settings, {**base, "MessageStatus": status, "ErrorCode": ""}) == 204

    assert [a.status for _w, _n, a in client.signals] == ["delivered"]
    assert store.statuses.current("order-A1:shipped:1:sms") == ("delivered", "delivered")


def test_reports_out_of_order_before_the_final_one_only_move_forward(route: Any) -> None:
    http, settings, store, client = route
    sent_message(store, "SM22")
    base = {"MessageSid": "SM22", "From": settings.sms_sender}

    for status in ("sent", "queued", "sending", "accepted"):
        assert post(http, settings, {**base, "MessageStatus": status}) == 204

    assert store.statuses.current("order-A1:shipped:1:sms") == ("sent", None)
    assert client.signals == []
    assert post(http, settings, {**base, "MessageStatus": "failed", "ErrorCode": "30003"}) == 204
    assert store.statuses.current("order-A1:shipped:1:sms") == ("failed", "failed")


def test_a_callback_for_no_message_of_ours_wakes_nobody(route: Any) -> None:
    http, settings, _store, client = route
    params = {"MessageSid": "SM404", "MessageStatus": "delivered", "From": settings.sms_sender}

    assert post(http, settings, params) == 204
    assert client.signals == []
