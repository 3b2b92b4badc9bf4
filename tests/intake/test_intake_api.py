"""POST /intake/events: acknowledged once it is in the inbox, the same event once, a
payload that cannot be notified kept as a dead letter (422), a full inbox answered 429,
and nothing without the service's credential."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.intake import create_intake_router
from store.repository import Store
from tests.helpers.events import order_event
from tests.helpers.temporal import settings_for_tests

TOKEN = {"Authorization": "Bearer intake-token"}
NOW = datetime.now(UTC)


def service(store: Store, tmp_path: Path, **settings: object) -> TestClient:
    configured = settings_for_tests(data_dir=tmp_path, api_tokens="intake-token", **settings)
    app = FastAPI()
    app.include_router(create_intake_router(configured, store, client=None))  # type: ignore[arg-type]
    return TestClient(app)  # not entered: no lifespan, so no dispatcher signals anything


@pytest.fixture
def http(store: Store, tmp_path: Path) -> TestClient:
    return service(store, tmp_path)


def event_json(reference: str = "I1", **customer: object) -> dict[str, object]:
    body = order_event("shipped", reference).model_dump(mode="json")
    body["customer"] = {**body["customer"], **customer}  # type: ignore[dict-item]
    return body


def test_an_event_is_acknowledged_once_it_is_in_the_inbox(http: TestClient, store: Store) -> None:
    answer = http.post("/intake/events", json=event_json(), headers=TOKEN)
    assert answer.status_code == 202 and answer.json() == {"accepted": 1, "duplicates": 0}
    assert store.intake_inbox.backlog() == 1
    [row] = store.intake_inbox.claim_due(datetime.now(UTC), 10, 30)
    assert row.workflow_id == "order-I1"


def test_the_same_event_again_is_acknowledged_and_kept_once(http: TestClient, store: Store) -> None:
    body = event_json()
    http.post("/intake/events", json=body, headers=TOKEN)
    again = http.post("/intake/events", json=body, headers=TOKEN)
    assert again.status_code == 202 and again.json() == {"accepted": 0, "duplicates": 1}
    assert store.intake_inbox.backlog() == 1


def test_a_payload_that_cannot_be_notified_is_a_dead_letter(http: TestClient, store: Store) -> None:
    body = event_json(phone="12", email=None)
    answer = http.post("/intake/events", json=body, headers={**TOKEN, "X-Herald-Account": "shop-7"})
    assert answer.status_code == 422 and "customer.phone" in answer.json()["error"]
    http.post("/intake/events", json=body, headers={**TOKEN, "X-Herald-Account": "shop-7"})
    [letter] = store.dead_letters.list(10)
    assert (letter.source, letter.account, letter.count) == ("generic", "shop-7", 2)
    assert store.intake_inbox.backlog() == 0


def test_a_body_that_is_not_json_is_a_dead_letter_too(http: TestClient, store: Store) -> None:
    answer = http.post("/intake/events", content=b"{not json", headers=TOKEN)
    assert answer.status_code == 422 and "not JSON" in answer.json()["error"]
    assert store.dead_letters.get(answer.json()["dead_letter"]).payload == b"{not json"


def test_a_usable_event_with_a_bad_contact_goes_through_with_a_note(http: TestClient) -> None:
    answer = http.post("/intake/events", json=event_json(email="nope"), headers=TOKEN)
    assert answer.status_code == 202 and answer.json()["note"] == "unusable email dropped"


def test_past_the_backlog_sources_are_told_to_come_back(store: Store, tmp_path: Path) -> None:
    http = service(store, tmp_path, intake_max_backlog=1)
    assert http.post("/intake/events", json=event_json("I1"), headers=TOKEN).status_code == 202
    full = http.post("/intake/events", json=event_json("I2"), headers=TOKEN)
    assert full.status_code == 429 and full.headers["Retry-After"] == "30"


def test_nothing_without_the_credential(http: TestClient, store: Store) -> None:
    assert http.post("/intake/events", json=event_json()).status_code == 401
    assert store.intake_inbox.backlog() == 0


def test_dead_letters_over_http_listed_shown_replayed_and_discarded(
    http: TestClient, store: Store
) -> None:
    refused = http.post("/intake/events", json=event_json(phone="12", email=None), headers=TOKEN)
    letter = refused.json()["dead_letter"]
    [listed] = http.get("/intake/dead-letters", headers=TOKEN).json()
    assert listed["id"] == letter and "customer.phone" in listed["reason"]
    shown = http.get(f"/intake/dead-letters/{letter}", headers=TOKEN).json()
    assert '"reference":"I1"' in shown["payload"].replace(" ", "")
    still = http.post(f"/intake/dead-letters/{letter}/replay", headers=TOKEN)
    assert still.status_code == 422 and "still cannot be notified" in still.json()["detail"]
    assert http.post(f"/intake/dead-letters/{letter}/discard", headers=TOKEN).status_code == 200
    assert http.get("/intake/dead-letters", headers=TOKEN).json() == []
    closed = http.get("/intake/dead-letters?include_closed=true", headers=TOKEN).json()
    assert [c["closed"] for c in closed] == [True]
    assert http.post("/intake/dead-letters/999/discard", headers=TOKEN).status_code == 404


def test_a_dead_letter_replayed_over_http_after_a_fix_reaches_the_inbox(
    http: TestClient, store: Store
) -> None:
    fixed = order_event("delayed", "I9").model_dump_json().encode()
    letter = store.dead_letters.keep("generic", "default", "was refused", fixed, 100, NOW)
    answer = http.post(f"/intake/dead-letters/{letter}/replay", headers=TOKEN)
    assert answer.status_code == 200 and answer.json() == {"accepted": 1}
    assert store.intake_inbox.backlog() == 1


def test_dead_letters_need_the_credential(http: TestClient) -> None:
    assert http.get("/intake/dead-letters").status_code == 401
    assert http.post("/intake/dead-letters/1/replay").status_code == 401


def test_the_intakes_status_needs_the_credential_and_shows_each_source(
    http: TestClient,
) -> None:
    http.post("/intake/events", json=event_json(), headers=TOKEN)
    assert http.get("/intake/status").status_code == 401
    status = http.get("/intake/status", headers=TOKEN).json()
    assert status["waiting"] == 1
    [generic] = status["sources"]
    assert (generic["source"], generic["events_last_hour"], generic["status"]) == (
        "generic",
        1,
        "ok",
    )


def test_an_id_past_the_stores_integers_is_a_422_not_a_500(http: TestClient) -> None:
    """Found by the API fuzz test: the driver cannot bind 2**63."""
    too_big = 2**63
    assert http.get(f"/intake/dead-letters/{too_big}", headers=TOKEN).status_code == 422
    assert http.post(f"/intake/dead-letters/{too_big}/replay", headers=TOKEN).status_code == 422
    assert http.get("/intake/dead-letters?limit=100000", headers=TOKEN).status_code == 422


@pytest.mark.parametrize(
    ("account", "status"),
    [
        ("a" * 64, 202),  # the longest name
        ("oms-2.eu_west", 202),
        ("a" * 65, 400),  # one past it
        ("order 123", 400),  # not a name: it would label the metrics
        ("shop/7", 400),
    ],
)
def test_the_generic_account_is_a_short_name(
    http: TestClient, store: Store, account: str, status: int
) -> None:
    headers = {**TOKEN, "X-Herald-Account": account}
    answer = http.post("/intake/events", json=event_json(f"N{len(account)}"), headers=headers)
    assert answer.status_code == status
    assert store.intake_inbox.backlog() == (1 if status == 202 else 0)  # refused: nothing kept
