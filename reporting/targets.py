"""The user's own targets (shared/seeds: "98.5% delivery rate, < 30 s average delivery
time, $0.0075 per SMS unit, < 10 minutes from a status change to the customer's first
update", and a 42.3% e-mail open rate), each with the direction that meets it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal


@dataclass(frozen=True)
class Target:
    value: float | Decimal
    meets_when: Literal["at_least", "at_most", "below"]
    text: str  # as the user's document says it

    def met_by(self, figure: float | Decimal | None) -> bool | None:
        if figure is None:
            return None
        if self.meets_when == "at_least":
            return figure >= self.value
        if self.meets_when == "at_most":
            return figure <= self.value
        return figure < self.value


DELIVERY_RATE = Target(0.985, "at_least", "≥ 98.5%")
AVERAGE_DELIVERY_SECONDS = Target(30.0, "below", "< 30 s")
COST_PER_SEGMENT_USD = Target(Decimal("0.0075"), "at_most", "≤ $0.0075 per SMS unit")
AVERAGE_FIRST_UPDATE_SECONDS = Target(600.0, "below", "< 10 min")
EMAIL_OPEN_RATE = Target(0.423, "at_least", "≥ 42.3%")
