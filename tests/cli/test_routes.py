"""``herald routes``: what routing measured and would choose, per country and provider."""

from __future__ import annotations

import argparse
import io
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from cli.routes import routes_command
from config.settings import Settings
from routing.rules import BreakerSettings
from store.migrate import upgrade
from store.repository import Store


@pytest.fixture
def measured_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'herald.sqlite3'}"
    upgrade(url)
    store = Store.connect(url)
    now = datetime.now(UTC)
    for n in range(40):
        outcome = "failed" if n % 10 == 0 else "delivered"  # 90% for Twilio in Brazil
        store.routes.record_outcome(
            "twilio",
            "BR",
            outcome,
            now=now,
            half_life_seconds=3600,
            seconds_to_final=8.0,
            cost_usd=Decimal("0.0350"),
        )
        store.routes.record_outcome(
            "plivo",
            "BR",
            "delivered",
            now=now,
            half_life_seconds=3600,
            seconds_to_final=6.0,
            cost_usd=Decimal("0.0420"),
        )
    for n in range(5):
        store.routes.record_outage(
            "vonage", "BR", now=now - timedelta(seconds=n), settings=BreakerSettings()
        )
    store.close()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=url, twilio_account_sid="", sms_providers="twilio,vonage,plivo"
    )
    monkeypatch.setattr("config.settings.get_settings", lambda: settings)
    return url


def test_routes_as_json(measured_store: str) -> None:
    out = io.StringIO()
    assert routes_command(argparse.Namespace(json=True, country=["br"]), out=out) == 0
    [brazil] = json.loads(out.getvalue())
    assert brazil["country"] == "BR"
    assert brazil["order"][0] == "plivo" and brazil["order"][-1] == "vonage"  # breaker open
    by_provider = {p["provider"]: p for p in brazil["providers"]}
    assert by_provider["twilio"]["delivery_rate"] == pytest.approx(37 / 42, abs=1e-4)
    assert by_provider["twilio"]["recent_messages"] == pytest.approx(40, abs=0.1)
    assert by_provider["plivo"]["cost_per_attempt_usd"] == "0.042"
    assert by_provider["vonage"]["breaker"] == "open"
    assert by_provider["vonage"]["outages_in_a_row"] == 5
    assert "plivo by best score" in brazil["reason"]


def test_routes_as_a_table(measured_store: str) -> None:
    out = io.StringIO()
    routes_command(argparse.Namespace(json=False, country=[]), out=out)
    text = out.getvalue()
    assert "BR: plivo > twilio > vonage" in text
    assert "US:" in text  # a country named in the rules, not measured yet
    assert "open" in text
