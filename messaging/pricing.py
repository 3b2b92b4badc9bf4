"""Estimated SMS cost: segments times the destination country's price per segment."""

from __future__ import annotations

from decimal import Decimal

from config.messaging import MessagingSettings, get_messaging_settings

_CENT_FRACTION = Decimal("0.0001")


def price_per_segment(region: str | None, settings: MessagingSettings | None = None) -> Decimal:
    """Price of one segment to ``region`` (ISO country code); the default when unknown."""
    settings = settings or get_messaging_settings()
    prices = settings.sms_price_per_segment_usd
    return prices.get((region or "").upper(), settings.sms_default_price_per_segment_usd)


def estimate_cost(
    segments: int, region: str | None, settings: MessagingSettings | None = None
) -> Decimal:
    return (price_per_segment(region, settings) * segments).quantize(_CENT_FRACTION)
