"""Vonage's and Plivo's delivery reports at the HTTP service: signatures checked with each
SDK's validator, parts folded in the store, the first final status handed on once."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from vonage_http_client import Auth

from api.provider_reports import create_provider_reports_router
from config.settings import Settings
from providers.plivo_provider import PlivoProvider
from providers.vonage_provider import VonageProvider
from sandbox.plivo_api import PlivoSandbox
from store.migrate import upgrade
from store.repository import Store
from tests.api.test_status_callbacks import RecordingClient
from tests.helpers.temporal import settings_for_tests
from tests.store.test_outbox import new_message

KEY = "order-V1:shipped:1:sms"


@pytest.fixture
def route(tmp_path: Path) -> Iterator[tuple[TestClient, Settings, Store, RecordingClient]]:
    settings = settings_for_tests(data_dir=tmp_path, public_base_url="http://testserver")
    upgrade(settings.effective_database_url)
    store = Store.connect(settings.effective_database_url)
    client = RecordingClient()
    providers = {"vonage": VonageProvider(settings), "plivo": PlivoProvider(settings)}
    app = FastAPI()
    app.include_router(create_provider_reports_router(settings, store, client, providers))  # type: ignore[arg-type]
    yield TestClient(app), settings, store, client
    store.close()


def sent(store: Store, provider: str, part_ids: list[str], key: str = KEY) -> None:
    now = datetime.now(UTC)
    store.outbox.claim(
        replace(new_message(key), workflow_id=key.split(":", 1)[0]), now, calling=True
    )
    store.outbox.complete(key, part_ids[0], now)
    store.parts.expect(key, provider, part_ids, now=now)


def vonage_dlr(settings: Settings, part: str, status: str, **extra: str) -> dict[str, str]:
    key, _secret, signature_secret = settings.effective_vonage_credentials
    params = {
        "msisdn": "5511987654321",
        "to": "HeraldShop",
        "messageId": part,
        "status": status,
        "err-code": "0" if status == "delivered" else "12",
        "client-ref": KEY,
        "api-key": key,
        "message-timestamp": "2026-12-06 09:00:00",
        "timestamp": str(int(time.time())),
        "nonce": str(uuid.uuid4()),
        **extra,
    }
    signer = Auth(api_key=key, signature_secret=signature_secret, signature_method="sha256")
    signing = dict(params)
    params["sig"] = signer.sign_params(signing)
    return params


def test_a_long_vonage_message_is_handed_on_once_every_part_is_delivered(route: Any) -> None:
    http, settings, store, client = route
    sent(store, "vonage", ["p1", "p2"])

    assert (
        http.post("/vonage/delivery", json=vonage_dlr(settings, "p2", "delivered")).status_code
        == 204
    )
    assert client.signals == []  # one part of two
    assert (
        http.get("/vonage/delivery", params=vonage_dlr(settings, "p1", "accepted")).status_code
        == 204
    )
    assert (
        http.post("/vonage/delivery", data=vonage_dlr(settings, "p1", "delivered")).status_code
        == 204
    )
    assert (
        http.post("/vonage/delivery", json=vonage_dlr(settings, "p1", "delivered")).status_code
        == 204
    )

    assert [(w, a.status, a.provider_message_id) for w, _n, a in client.signals] == [
        ("order-V1", "delivered", "p1")
    ]


def test_one_failed_part_fails_the_vonage_message(route: Any) -> None:
    http, settings, store, client = route
    sent(store, "vonage", ["p1", "p2"])
    assert (
        http.post("/vonage/delivery", json=vonage_dlr(settings, "p1", "failed")).status_code == 204
    )
    [(_w, _n, report)] = client.signals
    assert (report.status, report.error_code) == ("failed", "12")


def test_forged_and_malformed_vonage_receipts(route: Any) -> None:
    http, settings, store, client = route
    sent(store, "vonage", ["p1"])
    forged = dict(vonage_dlr(settings, "p1", "failed"), status="delivered")
    assert http.post("/vonage/delivery", json=forged).status_code == 403
    unsigned = {k: v for k, v in vonage_dlr(settings, "p1", "delivered").items() if k != "sig"}
    assert http.post("/vonage/delivery", json=unsigned).status_code == 403
    nonsense = vonage_dlr(settings, "p1", "teleported")
    assert http.post("/vonage/delivery", json=nonsense).status_code == 400
    assert client.signals == [] and store.parts.of(KEY, "vonage").status == "queued"  # type: ignore[union-attr]


def plivo_post(
    http: TestClient, settings: Settings, params: dict[str, str], *, forge: bool = False
) -> int:
    url = f"http://testserver/plivo/status?message_key={KEY}"
    auth_id, token = settings.effective_plivo_credentials
    headers = PlivoSandbox(auth_id=auth_id, auth_token=token).signature_headers(url, params)
    sent_params = dict(params, Status="delivered") if forge else params
    return http.post(url, data=sent_params, headers=headers).status_code


def test_plivo_reports_by_the_key_in_the_signed_url(route: Any) -> None:
    http, settings, store, client = route
    sent(store, "plivo", ["u1"])
    base = {"MessageUUID": "u1", "ParentMessageUUID": "u1", "To": "5511987654321"}
    assert plivo_post(http, settings, {**base, "Status": "sent", "Sequence": "2"}) == 204
    assert (
        plivo_post(
            http,
            settings,
            {**base, "Status": "undelivered", "Sequence": "3", "ErrorCode": "30"},
            forge=True,
        )
        == 403
    )
    assert client.signals == []
    assert (
        plivo_post(
            http, settings, {**base, "Status": "undelivered", "Sequence": "3", "ErrorCode": "30"}
        )
        == 204
    )
    assert plivo_post(http, settings, {**base, "Status": "queued", "Sequence": "1"}) == 204  # late
    [(_w, _n, report)] = client.signals
    assert (report.status, report.error_code, report.message_key) == ("undelivered", "30", KEY)


def test_the_first_final_report_teaches_routing_once(route: Any) -> None:
    from decimal import Decimal

    from store.message_routes import MessageRoute

    http, settings, store, _client = route
    sent(store, "vonage", ["p1"])
    store.message_routes.remember(MessageRoute(KEY, "BR", ("vonage", "plivo"), "test", "[]"))
    store.message_routes.accepted(KEY, "vonage", datetime.now(UTC), Decimal("0.03"))
    for _ in range(2):  # the receipt, and Vonage's retry of it
        assert (
            http.post("/vonage/delivery", json=vonage_dlr(settings, "p1", "delivered")).status_code
            == 204
        )
    stats = store.routes.stats_for("BR")["vonage"]
    assert stats.delivered == 1.0 and stats.cost_weight == 1.0
