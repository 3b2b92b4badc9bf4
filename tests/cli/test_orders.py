import argparse
import io
import json
from pathlib import Path

import pytest
from temporalio.service import RPCError, RPCStatusCode

from cli import orders
from cli.orders import example_event, signal_command


def test_a_malformed_event_is_refused_before_anything_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    event = json.loads(example_event())
    event["customer"]["phone"] = "+1 555"
    event["customer"]["time_zone"] = "Mars/Olympus"
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))

    async def must_not_connect(*_: object) -> str:
        raise AssertionError("nothing may be sent for an invalid event")

    monkeypatch.setattr(orders, "_signal", must_not_connect)
    code = signal_command(argparse.Namespace(file=path), out=io.StringIO())

    error = capsys.readouterr().err
    assert code == 2
    assert "invalid event, nothing sent" in error
    assert "customer.phone" in error and "unknown time zone" in error
    assert "+1 555" not in error  # customers' details are not echoed


def test_the_example_event_is_valid() -> None:
    from domain.events import MilestoneEvent

    assert MilestoneEvent.model_validate_json(example_event()).workflow_id == "return-R-1001"


def test_the_history_of_an_unknown_order_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def not_found(*_: object) -> None:
        raise RPCError("workflow not found for ID: order-NOPE", RPCStatusCode.NOT_FOUND, b"")

    monkeypatch.setattr(orders, "_history", not_found)
    args = argparse.Namespace(kind="order", reference="NOPE", json=False)

    assert orders.history_command(args, out=io.StringIO()) == 1
    assert capsys.readouterr().err.strip() == "no workflow for order NOPE"


def test_the_demo_customer_lives_where_it_is_daytime_at_every_hour() -> None:
    from datetime import UTC, datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from cli.orders import DEMO_LENGTH, daytime_zone
    from policy.rules import SendingWindow

    window = SendingWindow(start=time(8, 0), end=time(21, 0))
    for minutes in range(0, 24 * 60, 15):  # every quarter hour of a winter and a summer day
        for day in (datetime(2026, 1, 15, tzinfo=UTC), datetime(2026, 7, 15, tzinfo=UTC)):
            now = day + timedelta(minutes=minutes)
            zone = daytime_zone(now, window, DEMO_LENGTH)
            assert zone is not None, now
            assert window.contains(now.astimezone(ZoneInfo(zone)).time())
            assert window.contains((now + DEMO_LENGTH).astimezone(ZoneInfo(zone)).time())


def test_a_window_no_zone_can_meet_is_said_plainly() -> None:
    from datetime import UTC, datetime, time, timedelta

    from cli.orders import daytime_zone
    from policy.rules import SendingWindow

    narrow = SendingWindow(start=time(12, 0), end=time(12, 10))
    assert daytime_zone(datetime(2026, 1, 15, 3, tzinfo=UTC), narrow, timedelta(hours=1)) is None


def test_the_readmes_example_event_file_is_valid() -> None:
    from config.settings import PROJECT_ROOT
    from domain.events import MilestoneEvent

    example = (PROJECT_ROOT / "examples" / "order-shipped.json").read_text()
    assert MilestoneEvent.model_validate_json(example).workflow_id == "order-A-2001"
