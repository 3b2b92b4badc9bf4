"""Messaging settings: locales, SMS budgets and prices, merchant template overrides.

Kept apart from :mod:`config.settings` so the render path can be tuned without touching
the settings every other process reads. Same ``HERALD_`` prefix and ``.env`` file.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# Estimated outbound price per SMS segment by destination country (ISO 3166 alpha-2).
# The US figure comes from the project's brief; the others are rough list-price
# estimates to be replaced with the figures from the provider's own price sheet.
DEFAULT_SMS_PRICES_USD: dict[str, Decimal] = {
    "US": Decimal("0.0075"),
    "CA": Decimal("0.0075"),
    "GB": Decimal("0.0400"),
    "DE": Decimal("0.0800"),
    "FR": Decimal("0.0750"),
    "ES": Decimal("0.0700"),
    "IT": Decimal("0.0800"),
    "NL": Decimal("0.1000"),
    "PL": Decimal("0.0400"),
    "PT": Decimal("0.0400"),
    "BR": Decimal("0.0500"),
    "MX": Decimal("0.0250"),
    "TR": Decimal("0.0100"),
    "JP": Decimal("0.0800"),
    "CN": Decimal("0.0400"),
    "AE": Decimal("0.0400"),
    "SA": Decimal("0.0400"),
    "EG": Decimal("0.0900"),
}


class MessagingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HERALD_", env_file=".env", extra="ignore")

    default_locale: str = "en"
    # <dir>/<merchant>/<locale>/<channel>/<file>: any file there replaces the built-in one.
    merchant_templates_dir: Path | None = None

    # SMS segment budgets when a template's front matter does not set its own.
    sms_segment_budget: int = Field(default=1, ge=1)  # a GSM-7 message
    # A message that needs UCS-2 (a name like João, or a CJK template). None: as few
    # segments as the template's required text needs, optional parts only where free.
    sms_ucs2_segment_budget: int | None = Field(default=None, ge=1)
    # Fold letters the GSM-7 alphabet lacks (á -> a, ł -> l) in the template's own words
    # (never in the customer's or the OMS's data). Off: folding changes meanings (Turkish
    # "sık" -> "sik"), so such text travels as UCS-2. A merchant may opt in for cost.
    sms_fold_accents: bool = False

    sms_price_per_segment_usd: dict[str, Decimal] = Field(
        default_factory=lambda: dict(DEFAULT_SMS_PRICES_USD)
    )
    sms_default_price_per_segment_usd: Decimal = Decimal("0.0500")  # unknown destination


@lru_cache
def get_messaging_settings() -> MessagingSettings:
    return MessagingSettings()
