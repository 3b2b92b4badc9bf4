"""A circuit breaker per provider and destination country.

Closed: traffic flows; ``failures_to_open`` outages in a row (5xx, timeouts, unreachable)
open it. Open: no traffic for ``open_seconds``. Then half open: one probe at a time, at
most every ``probe_every_seconds``; a probe that succeeds closes the breaker, one that
fails opens it again. Refusals of one message (an invalid number) are no outage and
change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from routing.rules import BreakerSettings

BreakerMode = Literal["closed", "open", "half_open"]


@dataclass(frozen=True)
class BreakerState:
    provider: str
    country: str
    mode: BreakerMode = "closed"
    failures: int = 0  # outages in a row
    opened_at: datetime | None = None
    probed_at: datetime | None = None

    def mode_at(self, now: datetime, settings: BreakerSettings) -> BreakerMode:
        opened = self.opened_at
        if (
            self.mode == "open"
            and opened
            and (now - opened).total_seconds() >= settings.open_seconds
        ):
            return "half_open"
        return self.mode

    def admits(self, now: datetime, settings: BreakerSettings) -> bool:
        """Whether a message may go this way now (in half open: whether a probe is due)."""
        mode = self.mode_at(now, settings)
        if mode == "closed":
            return True
        if mode == "open":
            return False
        return (
            self.probed_at is None
            or (now - self.probed_at).total_seconds() >= settings.probe_every_seconds
        )

    def probing(self, now: datetime) -> BreakerState:
        return replace(self, mode="half_open", probed_at=now)

    def after_success(self) -> BreakerState:
        return replace(self, mode="closed", failures=0, opened_at=None, probed_at=None)

    def after_outage(self, now: datetime, settings: BreakerSettings) -> BreakerState:
        failures = self.failures + 1
        if self.mode_at(now, settings) == "half_open" or failures >= settings.failures_to_open:
            return replace(self, mode="open", failures=failures, opened_at=now, probed_at=None)
        return replace(self, failures=failures)
