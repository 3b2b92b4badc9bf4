"""What Herald measured per provider and destination country, over a decaying window.

Each route keeps exponentially decayed sums: delivered and failed messages, seconds to the
final report, and money spent. On every new outcome the sums are first decayed by
``0.5 ** (elapsed / half_life)``, so an outcome a half-life old weighs half as much as a
fresh one, and a route that changed (a carrier's grey route, a fix) is re-learnt within a
few half-lives. Storing the sums (not every outcome) keeps reads O(1) per route.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Literal

Outcome = Literal["delivered", "failed"]


@dataclass(frozen=True)
class RouteStats:
    provider: str
    country: str
    delivered: float = 0.0
    failed: float = 0.0
    seconds_sum: float = 0.0  # over delivered messages: time from send to the final report
    seconds_weight: float = 0.0
    cost_sum: float = 0.0  # USD, every attempt's price, delivered or not
    cost_weight: float = 0.0
    updated_at: datetime | None = None

    @property
    def observations(self) -> float:
        return self.delivered + self.failed

    @property
    def delivery_rate(self) -> float:
        """Posterior mean with a uniform prior: 0.5 for a route never tried."""
        return (self.delivered + 1.0) / (self.observations + 2.0)

    def seconds_to_final(self, prior: float) -> float:
        # One pseudo-observation of the prior keeps a fresh route's estimate sane.
        return (self.seconds_sum + prior) / (self.seconds_weight + 1.0)

    def cost_per_attempt(self, list_price: Decimal | None) -> Decimal | None:
        if self.cost_weight > 0:
            return Decimal(str(round(self.cost_sum / self.cost_weight, 6)))
        return list_price

    def cost_per_delivered(self, list_price: Decimal | None) -> Decimal | None:
        per_attempt = self.cost_per_attempt(list_price)
        if per_attempt is None:
            return None
        return (per_attempt / Decimal(str(self.delivery_rate))).quantize(Decimal("0.000001"))

    def decayed(self, now: datetime, half_life_seconds: float) -> RouteStats:
        if self.updated_at is None:
            return replace(self, updated_at=now)
        elapsed = max((now - self.updated_at).total_seconds(), 0.0)
        factor = 0.5 ** (elapsed / half_life_seconds)
        return RouteStats(
            provider=self.provider,
            country=self.country,
            delivered=self.delivered * factor,
            failed=self.failed * factor,
            seconds_sum=self.seconds_sum * factor,
            seconds_weight=self.seconds_weight * factor,
            cost_sum=self.cost_sum * factor,
            cost_weight=self.cost_weight * factor,
            updated_at=max(now, self.updated_at),
        )

    def with_outcome(
        self,
        outcome: Outcome,
        *,
        now: datetime,
        half_life_seconds: float,
        seconds_to_final: float | None = None,
        cost_usd: Decimal | None = None,
    ) -> RouteStats:
        """These sums after one more message's final outcome."""
        base = self.decayed(now, half_life_seconds)
        delivered = outcome == "delivered"
        seconds = seconds_to_final if delivered and seconds_to_final is not None else None
        return replace(
            base,
            delivered=base.delivered + (1.0 if delivered else 0.0),
            failed=base.failed + (0.0 if delivered else 1.0),
            seconds_sum=base.seconds_sum + (seconds or 0.0),
            seconds_weight=base.seconds_weight + (0.0 if seconds is None else 1.0),
            cost_sum=base.cost_sum + (float(cost_usd) if cost_usd is not None else 0.0),
            cost_weight=base.cost_weight + (1.0 if cost_usd is not None else 0.0),
        )
