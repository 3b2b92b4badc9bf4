"""Replay per source (intake/replay.py, intake/replay_mappings.py): each letter is read with
the configuration the replay runs with, and reaches the inbox under the key its source's
own path uses, so that path bringing the same payload again adds nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.intake import create_intake_router
from config.settings import Settings
from intake.handoff import keep_events
from intake.replay import Replayed, replay
from intake.tracking_polls import PolledOrder, keep_tracker_change, poll_rules
from store.repository import Store
from tests.helpers.events import order_event
from tests.helpers.temporal import settings_for_tests
from tests.intake import test_aftership as aftership_tests
from tests.intake import test_easypost as easypost_tests

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
EMAIL_ONLY = '[[validation]]\nsource = "{source}"\naccount = "{account}"\ncontact = "email"\n'


def configured(tmp_path: Path, text: str, name: str = "intake.toml") -> Settings:
    path = tmp_path / name
    path.write_text(text)
    return settings_for_tests(data_dir=tmp_path, api_tokens="t", intake_config_path=path)


def inbox_keys(store: Store) -> list[str]:
    return [row.dedupe_key for row in store.intake_inbox.claim_due(datetime.now(UTC), 100, 30)]


# --- the tracking poller -------------------------------------------------------------------


def poll(store: Store, settings: Settings) -> tuple[int, str | None]:
    """The poller keeping the delivered tracker of the order it was started for."""
    tracker = easypost_tests.load("tracker_updated_delivered")["result"]
    order = PolledOrder(reference=easypost_tests.ORDER, merchant="scarves")
    rules = poll_rules(settings, "warehouse")
    return keep_tracker_change(store, easypost_tests.ACCOUNT, tracker, order, NOW, rules)


def test_a_polled_change_refused_by_the_rules_replays_once_they_are_relaxed(
    store: Store, tmp_path: Path
) -> None:
    # The order is known with a phone only; the account notifies by e-mail only.
    known = order_event("shipped", easypost_tests.ORDER, email=None)
    keep_events(store, "generic", "polled-demo", "event", [known], NOW)
    store.intake_inbox.claim_due(datetime.now(UTC), 100, 30)  # the order's own event: out
    strict = configured(tmp_path, EMAIL_ONLY.format(source="easypost", account="warehouse"))
    assert poll(store, strict)[0] == 0
    [letter] = store.dead_letters.list(10)
    assert letter.source == "easypost_poller" and "e-mail only" in letter.reason
    # The letter names the order polled for: the tracker alone names only its code.
    body = json.loads(store.dead_letters.get(letter.id).payload)  # type: ignore[union-attr]
    assert body["order"] == {"reference": easypost_tests.ORDER, "merchant": "scarves"}

    assert replay(store, letter.id, NOW, strict) == Replayed(0, letter.reason)
    relaxed = configured(tmp_path, "")
    assert replay(store, letter.id, NOW, relaxed) == Replayed(1)
    # The poller sees the same change again: the same key, nothing new.
    assert poll(store, relaxed) == (0, None)
    [key] = inbox_keys(store)
    tracker_id = "trk_c8e0edb5bb284caa934a0d3db23a148z"
    change = f"{tracker_id}:delivered:arrived_at_destination"  # the poller's delivery id
    assert key == f"easypost_poller:warehouse:{change}:{easypost_tests.ORDER}:delivered"


def test_a_poller_letter_of_a_tracker_alone_finds_its_order_by_the_tracking_code(
    store: Store, tmp_path: Path
) -> None:
    """Letters kept before they named their order: the code's link names it now."""
    shipped = order_event("shipped", easypost_tests.ORDER)  # names 1Z999AA10123456784
    keep_events(store, "generic", "polled-demo", "event", [shipped], NOW)
    tracker = easypost_tests.load("tracker_updated_delivered")["result"]
    bare = json.dumps(tracker).encode()
    letter = store.dead_letters.keep("easypost_poller", "warehouse", "old", bare, 50, NOW)
    assert replay(store, letter, NOW, configured(tmp_path, "")) == Replayed(1)


# --- carrier webhooks ---------------------------------------------------------------------


def test_an_aftership_letter_replays_under_its_event_id(store: Store, tmp_path: Path) -> None:
    settings = configured(tmp_path, '[[aftership]]\nname = "tracking"\nmerchant = "scarves"\n')
    payload = aftership_tests.load("tracking_update_unknown_no_contacts")
    raw = json.dumps(payload).encode()
    letter = store.dead_letters.keep("aftership", "tracking", "not linked", raw, 50, NOW)
    assert replay(store, letter, NOW, settings).refused is not None  # still unknown
    # A source names the tracking number for an order: the replay finds it now.
    shipped = order_event("shipped", "A-9")
    code = payload["msg"]["tracking_number"]
    shipment = shipped.shipment.model_copy(update={"tracking_id": code})  # type: ignore[union-attr]
    keep_events(
        store, "generic", "oms", "event", [shipped.model_copy(update={"shipment": shipment})], NOW
    )
    store.intake_inbox.claim_due(datetime.now(UTC), 100, 30)
    assert replay(store, letter, NOW, settings).accepted == 1
    [key] = inbox_keys(store)
    assert key.startswith(f"aftership:tracking:{payload['event_id']}:A-9:")


# --- the generic JSON ---------------------------------------------------------------------


def test_a_generic_letter_replays_under_the_key_the_route_uses(
    store: Store, tmp_path: Path
) -> None:
    event = order_event("delayed", "G7", phone=None)
    raw = event.model_dump_json().encode()
    strict = configured(
        tmp_path, EMAIL_ONLY.format(source="generic", account="oms").replace('"email"', '"phone"')
    )
    letter = store.dead_letters.keep("generic", "oms", "e-mail only", raw, 100, NOW)
    assert "SMS only" in (replay(store, letter, NOW, strict).refused or "")
    assert replay(store, letter, NOW, configured(tmp_path, "")) == Replayed(1)
    # The OMS sends the same event again, as its retry would: the route's key, one row.
    added, repeated = keep_events(store, "generic", "oms", "event", [event], NOW)
    assert (added, repeated) == (0, 1)
    assert inbox_keys(store) == [f"generic:oms:event:{event.event_id}"]


def test_a_letter_of_a_source_this_version_does_not_know_is_a_lookup_error(
    store: Store, tmp_path: Path
) -> None:
    letter = store.dead_letters.keep("fax", "x", "why", b"{}", 10, NOW)
    with pytest.raises(LookupError, match="no mapping for source 'fax'"):
        replay(store, letter, NOW, configured(tmp_path, ""))


# --- over HTTP, as an operator replays ----------------------------------------------------


def test_poller_and_aftership_letters_replay_over_http(store: Store, tmp_path: Path) -> None:
    """The route replays with the service's configuration: a poller's letter refused by the
    rules and an AfterShip letter whose code became known both go through, and their one
    delivery is one event."""
    settings = configured(tmp_path, '[[aftership]]\nname = "tracking"\nmerchant = "scarves"\n')
    app = FastAPI()
    app.include_router(create_intake_router(settings, store, client=None))  # type: ignore[arg-type]
    http, token = TestClient(app), {"Authorization": "Bearer t"}

    known = order_event("shipped", easypost_tests.ORDER, email=None)
    keep_events(store, "generic", "polled-demo", "event", [known], NOW)
    rule = EMAIL_ONLY.format(source="easypost", account="warehouse")
    poll(store, configured(tmp_path, rule, name="strict.toml"))
    tracking = aftership_tests.load("tracking_update_delivered")  # the code 1Z999AA10123456784
    raw = json.dumps(tracking).encode()
    other = store.dead_letters.keep("aftership", "tracking", "not linked then", raw, 50, NOW)
    letters = {letter.source: letter.id for letter in store.dead_letters.list(10)}
    assert letters.keys() == {"easypost_poller", "aftership"} and letters["aftership"] == other
    # Both tell the same delivery of the same order: the first replay keeps it, the second
    # finds it in the inbox (one event, whichever source reports it).
    for source, accepted in (("easypost_poller", 1), ("aftership", 0)):
        answer = http.post(f"/intake/dead-letters/{letters[source]}/replay", headers=token)
        assert (source, answer.status_code, answer.json()) == (source, 200, {"accepted": accepted})
    assert store.dead_letters.list(10) == []
