"""The attack of issue 15: a change dated in the future must not defeat a customer's STOP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from store.repository import Store
from tests.policy.test_api_preferences import PHONE, client_for


def test_a_consent_change_dated_in_the_future_is_refused(store: Store) -> None:
    http = client_for(store)
    future = (datetime.now(UTC) + timedelta(days=365)).isoformat()

    response = http.put("/consent", json={"phone": PHONE, "state": "opted_in", "at": future})

    assert response.status_code == 422
    assert "future" in response.text
    assert store.consent.get(PHONE) is None  # nothing recorded


def test_a_caller_cannot_pass_its_change_off_as_the_customers(store: Store) -> None:
    http = client_for(store)

    for source in ("sms_reply", "CLI"):
        body = {"phone": PHONE, "state": "opted_in", "source": source}
        assert http.put("/consent", json=body).status_code == 422


def test_the_customers_stop_wins_over_any_api_change_and_is_applied(store: Store) -> None:
    http: TestClient = client_for(store)
    # Within the allowed clock skew, a retailer's opt-in dated a little ahead of us...
    ahead = (datetime.now(UTC) + timedelta(seconds=50)).isoformat()
    assert http.put("/consent", json={"phone": PHONE, "state": "opted_in", "at": ahead}).is_success
    # ...and (as the old bug left it) a row dated far in the future, straight in the store.
    store.consent.opt_in(PHONE, at=datetime.now(UTC) + timedelta(days=30), source="api")

    stop = http.post("/consent/reply", json={"phone": PHONE, "text": "STOP"}).json()

    assert stop["reply"] and stop["consent"]["may_text"] is False  # answered and applied
    assert store.consent.is_opted_out(PHONE)
    # A later API opt-in dated before the STOP does not undo it.
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    http.put("/consent", json={"phone": PHONE, "state": "opted_in", "at": past})
    assert store.consent.is_opted_out(PHONE)


def test_an_api_change_dated_just_ahead_is_kept_as_of_now(store: Store) -> None:
    http = client_for(store)
    ahead = datetime.now(UTC) + timedelta(seconds=30)

    view = http.put(
        "/consent", json={"phone": PHONE, "state": "opted_out", "at": ahead.isoformat()}
    ).json()

    assert datetime.fromisoformat(view["changed_at"]) <= datetime.now(UTC)
