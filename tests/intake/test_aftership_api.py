"""POST /intake/aftership: signed with the account's secret, kept once per event_id, a
forged one refused with nothing kept, a new shipment reaching the customer it names."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.intake import create_intake_router
from domain.events import MilestoneEvent
from store.repository import Store
from tests.helpers.temporal import settings_for_tests
from tests.intake.test_aftership import PAYLOADS, sign

SECRET = "aftership-webhook-secret"


@pytest.fixture
def http(store: Store, tmp_path: Path) -> TestClient:
    config = tmp_path / "intake.toml"
    config.write_text(
        '[[aftership]]\nname = "tracking"\nmerchant = "scarves"\n\n'
        '[[validation]]\nsource = "aftership"\naccount = "tracking"\ndefault_region = "US"\n'
    )
    settings = settings_for_tests(
        data_dir=tmp_path,
        intake_config_path=config,
        aftership_webhook_secrets=f"tracking:{SECRET}",
    )
    app = FastAPI()
    app.include_router(create_intake_router(settings, store, client=None))  # type: ignore[arg-type]
    return TestClient(app)


def deliver(http: TestClient, fixture: str, secret: str = SECRET) -> tuple[int, dict[str, object]]:
    body = (PAYLOADS / f"{fixture}.json").read_bytes()
    # One account configured: the URL need not name it.
    answer = http.post(
        "/intake/aftership", content=body, headers={"aftership-hmac-sha256": sign(body, secret)}
    )
    return answer.status_code, answer.json()


def test_a_new_shipment_reaches_the_customer_it_names_once_and_links_its_number(
    http: TestClient, store: Store
) -> None:
    assert deliver(http, "tracking_update_delivered_new_order") == (
        200,
        {"accepted": 1, "duplicates": 0},
    )
    assert deliver(http, "tracking_update_delivered_new_order")[1]["duplicates"] == 1
    [row] = store.intake_inbox.due(datetime.now(UTC), 10)
    event = MilestoneEvent.model_validate_json(row.event_json)
    assert (event.workflow_id, event.customer.phone) == ("order-A-7001", "+15025550142")
    link = store.tracked_shipments.find("1Z999AA10123456999")
    assert link is not None and (link.source, link.account) == ("aftership", "tracking")


def test_a_forged_webhook_is_refused_and_nothing_kept(http: TestClient, store: Store) -> None:
    assert deliver(http, "tracking_update_delivered_new_order", secret="guess")[0] == 401
    assert store.intake_inbox.backlog() == 0 and store.dead_letters.list(10, True) == []


def test_an_unknown_shipment_naming_nobody_is_a_dead_letter(http: TestClient, store: Store) -> None:
    status, body = deliver(http, "tracking_update_unknown_no_contacts")
    assert status == 200 and "not linked to an order yet" in str(body["reason"])
    [letter] = store.dead_letters.list(10, False)
    assert (letter.source, letter.account) == ("aftership", "tracking")
