"""Estimated SMS cost from the per-country price table."""

from __future__ import annotations

from decimal import Decimal

import pytest

from config.messaging import MessagingSettings
from messaging.pricing import estimate_cost, price_per_segment


def test_us_price_from_the_brief() -> None:
    assert price_per_segment("US") == Decimal("0.0075")
    assert estimate_cost(3, "US") == Decimal("0.0225")


def test_unknown_destination_uses_the_default_price() -> None:
    settings = MessagingSettings(sms_default_price_per_segment_usd=Decimal("0.1"))
    assert price_per_segment(None, settings) == Decimal("0.1")
    assert price_per_segment("ZZ", settings) == Decimal("0.1")


def test_price_table_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HERALD_SMS_PRICE_PER_SEGMENT_USD", '{"US": "0.0079"}')
    assert price_per_segment("us", MessagingSettings()) == Decimal("0.0079")
