"""Route measurements and breakers in the store: decayed sums, breaker transitions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from routing.rules import BreakerSettings
from store.repository import Store

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
HOUR = 3600.0


def test_outcomes_add_up_per_route(store: Store) -> None:
    routes = store.routes
    routes.record_outcome(
        "vonage",
        "BR",
        "delivered",
        now=NOW,
        half_life_seconds=HOUR,
        seconds_to_final=4.0,
        cost_usd=Decimal("0.0085"),
    )
    routes.record_outcome(
        "vonage", "BR", "failed", now=NOW, half_life_seconds=HOUR, cost_usd=Decimal("0.0085")
    )
    routes.record_outcome("twilio", "BR", "delivered", now=NOW, half_life_seconds=HOUR)

    stats = routes.stats_for("BR")
    assert set(stats) == {"vonage", "twilio"}
    vonage = stats["vonage"]
    assert (vonage.delivered, vonage.failed) == (1.0, 1.0)
    assert vonage.seconds_weight == 1.0 and vonage.seconds_sum == 4.0  # failures not timed
    assert vonage.cost_per_attempt(None) == Decimal("0.0085")
    assert routes.stats_for("US") == {}


def test_an_outcome_one_half_life_later_halves_the_old_evidence(store: Store) -> None:
    routes = store.routes
    for _ in range(4):
        routes.record_outcome("plivo", "BR", "failed", now=NOW, half_life_seconds=HOUR)
    later = routes.record_outcome(
        "plivo", "BR", "delivered", now=NOW + timedelta(hours=1), half_life_seconds=HOUR
    )
    assert later.failed == pytest.approx(2.0)
    assert later.delivered == pytest.approx(1.0)
    assert later.updated_at == NOW + timedelta(hours=1)


def test_breaker_opens_after_outages_in_a_row_and_closes_after_a_probe(store: Store) -> None:
    routes, settings = store.routes, BreakerSettings(failures_to_open=3, open_seconds=30)
    for second in range(2):
        state = routes.record_outage(
            "twilio", "US", now=NOW + timedelta(seconds=second), settings=settings
        )
        assert state.mode == "closed"
    state = routes.record_outage("twilio", "US", now=NOW + timedelta(seconds=2), settings=settings)
    assert state.mode == "open" and state.failures == 3
    [stored] = routes.breakers_for("US").values()
    assert not stored.admits(NOW + timedelta(seconds=31), settings)  # 29 s after opening
    assert stored.admits(NOW + timedelta(seconds=32), settings)  # exactly 30 s: half open
    routes.record_probe("twilio", "US", now=NOW + timedelta(seconds=32))
    assert routes.record_success("twilio", "US").mode == "closed"
    assert routes.breakers_for("US")["twilio"].failures == 0
