"""Decayed route measurements and the breaker's transitions, boundaries included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from routing.breaker import BreakerState
from routing.estimates import RouteStats
from routing.rules import BreakerSettings

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
HOUR = 3600.0


def test_a_fresh_route_has_a_uniform_prior() -> None:
    fresh = RouteStats("vonage", "BR")
    assert fresh.delivery_rate == 0.5
    assert fresh.seconds_to_final(prior=10.0) == 10.0
    assert fresh.cost_per_attempt(Decimal("0.03")) == Decimal("0.03")


def test_exactly_one_half_life_halves_the_evidence() -> None:
    stats = RouteStats("vonage", "BR", delivered=8, failed=2, updated_at=NOW)
    assert stats.decayed(NOW + timedelta(hours=1), HOUR).delivered == pytest.approx(4)
    assert stats.decayed(NOW, HOUR).delivered == 8
    # A clock that went backwards decays nothing.
    assert stats.decayed(NOW - timedelta(hours=1), HOUR).delivered == 8


def test_cost_per_delivered_counts_failed_attempts_too() -> None:
    stats = RouteStats("vonage", "BR")
    for outcome in ("delivered", "delivered", "failed"):
        stats = stats.with_outcome(
            outcome, now=NOW, half_life_seconds=HOUR, seconds_to_final=5.0, cost_usd=Decimal("0.03")
        )
    assert stats.cost_per_attempt(None) == Decimal("0.03")
    assert stats.delivery_rate == pytest.approx(3 / 5)
    assert stats.cost_per_delivered(None) == Decimal("0.050000")
    assert stats.seconds_weight == 2  # only delivered messages are timed


SETTINGS = BreakerSettings(failures_to_open=3, open_seconds=30.0, probe_every_seconds=5.0)


def test_the_breaker_opens_on_the_third_outage_in_a_row() -> None:
    state = BreakerState("twilio", "US")
    state = state.after_outage(NOW, SETTINGS).after_outage(NOW, SETTINGS)
    assert state.mode == "closed" and state.admits(NOW, SETTINGS)
    state = state.after_outage(NOW, SETTINGS)
    assert state.mode == "open" and not state.admits(NOW, SETTINGS)


def test_a_success_resets_the_count() -> None:
    state = BreakerState("twilio", "US").after_outage(NOW, SETTINGS).after_outage(NOW, SETTINGS)
    state = state.after_success().after_outage(NOW, SETTINGS)
    assert state.mode == "closed" and state.failures == 1


def test_half_open_after_exactly_open_seconds_and_one_probe_per_interval() -> None:
    opened = BreakerState("twilio", "US", mode="open", failures=3, opened_at=NOW)
    assert opened.mode_at(NOW + timedelta(seconds=29.999), SETTINGS) == "open"
    at = NOW + timedelta(seconds=30)
    assert opened.mode_at(at, SETTINGS) == "half_open" and opened.admits(at, SETTINGS)
    probing = opened.probing(at)
    assert not probing.admits(at + timedelta(seconds=4.999), SETTINGS)
    assert probing.admits(at + timedelta(seconds=5), SETTINGS)
    assert probing.after_outage(at, SETTINGS).mode == "open"  # a failed probe re-opens
    assert probing.after_success().mode == "closed"
