"""Routing rules from configuration (config/routing.toml): per destination country and
number type, which providers may send, which are preferred, a price ceiling, and blocked
routes; plus the knobs of the adaptive choice and of the circuit breakers.

A rule names a country (ISO code or ``*``) and a number type (or ``*``); for a destination
the most specific rule applies: country and type, then country, then type, then ``*``.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from providers.sms_provider import PROVIDER_NAMES, ProviderName
from routing.destination import Destination, NumberType
from routing.senders import SenderIdentity


class RouteRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    country: str = "*"
    number_type: NumberType | Literal["*"] = "*"
    allowed: list[ProviderName] | None = Field(default=None, description="None: every one")
    preferred: list[ProviderName] = Field(default_factory=list)
    blocked: list[ProviderName] = Field(default_factory=list)
    price_ceiling_usd: Decimal | None = Field(default=None, ge=0, description="per part")

    def specificity(self, destination: Destination) -> int | None:
        """How closely this rule names the destination; None when it does not."""
        if self.country not in ("*", destination.country):
            return None
        if self.number_type not in ("*", destination.number_type):
            return None
        return (2 if self.country != "*" else 0) + (1 if self.number_type != "*" else 0)

    def providers(self) -> list[ProviderName]:
        allowed = list(self.allowed) if self.allowed is not None else list(PROVIDER_NAMES)
        return [p for p in allowed if p not in self.blocked]


class BreakerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    failures_to_open: int = Field(default=5, ge=1, description="outages in a row")
    open_seconds: float = Field(default=30.0, gt=0, description="before the first probe")
    probe_every_seconds: float = Field(default=5.0, gt=0, description="while half open")


class RoutingRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[RouteRule] = Field(default_factory=lambda: [RouteRule()])
    # List prices per part by provider and country ("*" for the rest), USD: the cost
    # estimate before Herald has measured one, and what the price ceiling is held against.
    prices_usd: dict[ProviderName, dict[str, Decimal]] = Field(default_factory=dict)
    # Each provider's senders per country (routing/senders.py). None: not configured, and
    # every provider sends from its own settings' sender; once listed, a provider without a
    # usable sender for a country has no route there.
    senders: list[SenderIdentity] | None = None
    # The adaptive choice (routing/choose.py says why these).
    exploration_share: float = Field(default=0.02, ge=0.0, le=0.5)
    half_life_hours: float = Field(default=6.0, gt=0)
    delivered_value_usd: Decimal = Field(
        default=Decimal("1.00"), gt=0, description="what one delivered update is worth"
    )
    second_cost_usd: Decimal = Field(
        default=Decimal("0.0002"), ge=0, description="what a second's wait for a report costs"
    )
    preferred_bonus_usd: Decimal = Field(default=Decimal("0.002"), ge=0)
    prior_seconds_to_final: float = Field(default=10.0, gt=0)
    breaker: BreakerSettings = Field(default_factory=BreakerSettings)

    def rule_for(self, destination: Destination) -> RouteRule:
        best: RouteRule | None = None
        best_rank = -1
        for rule in self.rules:
            rank = rule.specificity(destination)
            if rank is not None and rank >= best_rank:  # the later of two equal rules wins
                best, best_rank = rule, rank
        return best or RouteRule()

    def list_price(self, provider: ProviderName, country: str) -> Decimal | None:
        prices = self.prices_usd.get(provider, {})
        return prices.get(country, prices.get("*"))

    @classmethod
    def load(cls, path: Path) -> RoutingRules:
        """The rules in a TOML file; a missing file means the defaults."""
        if not path.exists():
            return cls()
        with path.open("rb") as handle:
            return cls.model_validate(tomllib.load(handle))
