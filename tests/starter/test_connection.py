"""Temporal away when a process starts: the HTTP service starts anyway (its intake keeps
acknowledging into the inbox), and a worker waits for the server instead of exiting."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from starter import connection
from starter.connection import connect_when_reachable
from store.migrate import upgrade
from tests.helpers.events import order_event
from tests.helpers.temporal import settings_for_tests

NOWHERE = "127.0.0.1:1"  # nothing listens on port 1


def test_the_http_service_starts_and_acknowledges_events_while_temporal_is_away(
    tmp_path: Path,
) -> None:
    settings = settings_for_tests(
        data_dir=tmp_path, api_tokens="t", temporal_address=NOWHERE, intake_dispatch_rate=1000.0
    )
    upgrade(settings.effective_database_url)
    app = create_app(settings)  # no client given: it connects (lazily) in its lifespan
    body = order_event("shipped", "AWAY-1").model_dump(mode="json")
    with TestClient(app) as http:
        answer = http.post("/intake/events", json=body, headers={"Authorization": "Bearer t"})
        health = http.get("/health")
    assert answer.status_code == 202 and answer.json()["accepted"] == 1
    assert health.status_code == 503 and health.json()["temporal"].startswith("failing")
    assert app.state.store.intake_inbox.backlog() == 1  # kept for when Temporal is back


async def test_a_worker_waits_for_temporal_instead_of_exiting() -> None:
    settings = settings_for_tests(temporal_address=NOWHERE)
    with pytest.raises(TimeoutError):  # still trying when the test gives up, not failed
        await asyncio.wait_for(connect_when_reachable(settings, max_wait_seconds=0.05), 0.5)


async def test_the_pause_between_tries_doubles_to_its_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    pauses: list[float] = []
    tries = 0

    async def refused_four_times(settings: object, *, runtime: object = None) -> str:
        nonlocal tries
        tries += 1
        if tries <= 4:
            raise RuntimeError("Failed client connect: connection refused")
        return "client"

    async def record(seconds: float) -> None:
        pauses.append(seconds)

    monkeypatch.setattr(connection, "connect", refused_four_times)
    monkeypatch.setattr(connection.asyncio, "sleep", record)
    client = await connect_when_reachable(settings_for_tests(), max_wait_seconds=5.0)
    assert client == "client" and pauses == [1.0, 2.0, 4.0, 5.0]
