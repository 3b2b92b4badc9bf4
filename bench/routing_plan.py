"""What the routing benchmark delivers: the stream of milestones, the world's clock, each result.

Times are world seconds; ``Clock`` plays them ``scale`` real seconds each.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bench.routing_hooks import Tracked
from bench.routing_world import PREFIX
from messaging.segments import count_segments
from routing.failover import Attempt

SHORT = (
    "Your order {n} has shipped and arrives Thursday. Track it: https://track.herald.example/{n}"
)
LONG = (
    SHORT + " Reply CALL to talk to us, RESCHEDULE to pick another day, or STOP to end texts. " * 2
)


@dataclass(frozen=True)
class Milestone:
    key: str
    country: str
    to: str
    body: str
    parts: int
    due: float  # world seconds after the start


@dataclass
class Result:
    milestone: Milestone
    delivered: bool = False
    seconds: float | None = None
    cost: Decimal = Decimal(0)
    attempts: list[Attempt] = field(default_factory=list)
    tracked: list[Tracked] = field(default_factory=list)  # each accepted attempt's reports

    @property
    def delivered_attempts(self) -> int:
        """Attempts whose every part the provider reported delivered, late ones included."""
        return sum(1 for t in self.tracked if t.parts.status == "delivered")


class Clock:
    def __init__(self, scale: float) -> None:
        self.scale, self.start = scale, time.monotonic()
        self.origin = datetime.now(UTC)

    def world(self) -> float:
        return (time.monotonic() - self.start) / self.scale

    def now(self) -> datetime:
        return self.origin + timedelta(seconds=self.world())

    async def sleep_until(self, world_seconds: float) -> None:
        await asyncio.sleep(max(0.0, (world_seconds - self.world()) * self.scale))


def milestones(count: int, duration: float, seed: int) -> list[Milestone]:
    rng = random.Random(seed)
    made = []
    for n in range(count):
        country = "US" if n % 2 == 0 else "BR"
        to = (
            f"{PREFIX[country]}415{rng.randrange(2000000, 9999999)}"
            if country == "US"
            else f"+55119{rng.randrange(10000000, 99999999)}"
        )
        body = (LONG if rng.random() < 0.1 else SHORT).format(n=n)
        made.append(
            Milestone(
                f"bench-{seed}-{n}",
                country,
                to,
                body,
                count_segments(body).segments,
                n * duration / count,
            )
        )
    return made
