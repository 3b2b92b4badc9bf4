"""The generic JSON's times without a UTC offset: read in the account's time zone when its
``[[generic]]`` table names one (both sides of a daylight-saving change too), refused with
a reason that says how to fix it when not; a time with an offset is never re-read."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.intake import create_intake_router
from intake.accounts import generic_accounts
from intake.source import IntakeRefused
from intake.sources.generic import map_generic
from store.repository import Store
from tests.helpers.events import order_event
from tests.helpers.temporal import settings_for_tests

BERLIN = "Europe/Berlin"


def payload(occurred_at: Any, **shipment: Any) -> dict[str, Any]:
    event = order_event("shipped", "L1").model_dump(mode="json")
    event["occurred_at"] = occurred_at
    event["shipment"] = {**event["shipment"], **shipment}
    return event


def read_utc(occurred_at: Any, zone: str | None = BERLIN) -> str:
    [event] = map_generic(payload(occurred_at), time_zone=zone).events
    return event.occurred_at.astimezone(UTC).isoformat()


@pytest.mark.parametrize(
    ("written", "utc"),
    [
        ("2026-12-06T10:00:00", "2026-12-06T09:00:00+00:00"),  # winter: +01:00
        ("2026-07-06T10:00:00", "2026-07-06T08:00:00+00:00"),  # summer: +02:00
        ("2026-12-06 10:00", "2026-12-06T09:00:00+00:00"),  # a space, no seconds
        ("2026-12-06", "2026-12-05T23:00:00+00:00"),  # a date alone: its local midnight
        # Around the spring change (02:00 -> 03:00 on 29 March 2026): the last minute before
        # it, the skipped hour (read with the winter offset), the first minute after.
        ("2026-03-29T01:59:00", "2026-03-29T00:59:00+00:00"),
        ("2026-03-29T02:30:00", "2026-03-29T01:30:00+00:00"),
        ("2026-03-29T03:00:00", "2026-03-29T01:00:00+00:00"),
        # The autumn change (03:00 -> 02:00 on 25 October 2026): 02:30 happens twice, read
        # as the first time (summer); 03:00 happens once.
        ("2026-10-25T02:30:00", "2026-10-25T00:30:00+00:00"),
        ("2026-10-25T03:00:00", "2026-10-25T02:00:00+00:00"),
    ],
)
def test_a_time_without_an_offset_is_read_in_the_accounts_zone(written: str, utc: str) -> None:
    assert read_utc(written) == utc


@pytest.mark.parametrize(
    "written", ["2026-12-06T10:00:00+05:30", "2026-12-06T10:00:00Z", 1765015200]
)
def test_a_time_with_an_offset_or_a_unix_time_is_taken_as_it_is(written: Any) -> None:
    assert read_utc(written) == read_utc(written, zone=None)


def test_the_shipments_arrival_times_are_read_in_the_zone_too() -> None:
    body = payload(
        "2026-12-06T10:00:00",
        estimated_arrival="2026-12-08T09:00:00",
        estimated_arrival_end="2026-12-08T12:00:00+00:00",
    )
    [event] = map_generic(body, time_zone=BERLIN).events
    assert event.shipment is not None and event.shipment.estimated_arrival is not None
    assert event.shipment.estimated_arrival.isoformat() == "2026-12-08T09:00:00+01:00"
    assert event.shipment.estimated_arrival_end is not None
    assert event.shipment.estimated_arrival_end.isoformat() == "2026-12-08T12:00:00+00:00"
    assert body["occurred_at"] == "2026-12-06T10:00:00"  # the caller's payload is untouched


def test_without_a_zone_the_refusal_says_how_to_fix_it() -> None:
    with pytest.raises(IntakeRefused) as refused:
        map_generic(payload("2026-12-06T10:00:00"))
    reason = refused.value.reason
    assert reason.startswith("occurred_at: '2026-12-06T10:00:00' has no UTC offset")
    assert "send the time with its offset" in reason and "set time_zone" in reason


def test_a_time_that_is_no_time_is_still_refused_in_a_zone() -> None:
    with pytest.raises(IntakeRefused, match="occurred_at"):
        map_generic(payload("next Tuesday"), time_zone=BERLIN)


def test_the_accounts_zone_comes_from_its_generic_table(tmp_path: Path) -> None:
    config = tmp_path / "intake.toml"
    config.write_text(f'[[generic]]\naccount = "EU-OMS"\ntime_zone = "{BERLIN}"\n')
    assert generic_accounts(config)["eu-oms"].time_zone == BERLIN
    config.write_text('[[generic]]\naccount = "x"\ntime_zone = "Mars/Olympus"\n')
    with pytest.raises(ValidationError, match="unknown time zone"):
        generic_accounts(config)


def test_the_route_reads_the_sending_accounts_zone(store: Store, tmp_path: Path) -> None:
    config = tmp_path / "intake.toml"
    config.write_text(f'[[generic]]\naccount = "eu-oms"\ntime_zone = "{BERLIN}"\n')
    settings = settings_for_tests(data_dir=tmp_path, api_tokens="t", intake_config_path=config)
    app = FastAPI()
    app.include_router(create_intake_router(settings, store, client=None))  # type: ignore[arg-type]
    http = TestClient(app)
    local = payload("2026-12-06T10:00:00")
    headers = {"Authorization": "Bearer t", "X-Herald-Account": "EU-OMS"}
    assert http.post("/intake/events", json=local, headers=headers).status_code == 202
    other = http.post("/intake/events", json=local, headers={"Authorization": "Bearer t"})
    assert other.status_code == 422 and "time_zone" in other.json()["error"]
    [letter] = store.dead_letters.list(10)
    assert (letter.source, letter.account) == ("generic", "default")
