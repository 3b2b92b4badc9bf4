"""The three ways the routing benchmark delivers: Twilio alone, Herald's routing, an oracle.

A strategy orders the providers for each milestone and hears what became of each attempt;
only Herald's routing learns from that, through the store's route measurements.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import Decimal

from bench.routing_plan import Clock, Milestone
from bench.routing_world import DOWN_PROVIDER, WORLD, true_score
from providers.sms_provider import ProviderName
from routing.choose import choose_route
from routing.destination import destination_of
from routing.rules import RoutingRules
from store.repository import Store


class Strategy:
    name = ""
    tries_per_provider = 1

    def order(self, m: Milestone, clock: Clock) -> Sequence[ProviderName]:
        raise NotImplementedError

    def outage(self, provider: str, m: Milestone, clock: Clock) -> None: ...
    def accepted(self, provider: str, m: Milestone) -> None: ...
    def final(
        self,
        provider: str,
        m: Milestone,
        delivered: bool,
        seconds: float,
        cost: Decimal,
        clock: Clock,
    ) -> None: ...


class TwilioAlone(Strategy):
    name = "twilio_alone"
    tries_per_provider = 3  # sms_max_attempts: then e-mail takes over

    def order(self, m: Milestone, clock: Clock) -> Sequence[ProviderName]:
        return ("twilio",)


class Oracle(Strategy):
    name = "oracle"

    def __init__(self, rules: RoutingRules, outage: tuple[float, float]) -> None:
        self.rules, self.outage_window = rules, outage

    def order(self, m: Milestone, clock: Clock) -> Sequence[ProviderName]:
        down = self.outage_window[0] <= clock.world() < self.outage_window[1]
        ranked = sorted(
            WORLD[m.country],
            key=lambda p: true_score(self.rules, m.country, p, m.parts),
            reverse=True,
        )
        # A provider that is down goes last: by the time the others failed it may be back.
        return sorted(ranked, key=lambda p: down and p == DOWN_PROVIDER)


class HeraldRouting(Strategy):
    name = "herald"

    def __init__(
        self, rules: RoutingRules, store: Store, available: Sequence[ProviderName], seed: int
    ) -> None:
        self.rules, self.store, self.available = rules, store, list(available)
        self.rng = random.Random(seed)
        self.explored = 0

    def order(self, m: Milestone, clock: Clock) -> Sequence[ProviderName]:
        now = clock.now()
        routes = self.store.routes
        choice = choose_route(
            destination_of(m.to),
            rules=self.rules,
            available=self.available,
            stats=routes.stats_for(m.country),
            breakers=routes.breakers_for(m.country),
            now=now,
            rng=self.rng,
            parts=m.parts,
        )
        self.explored += choice.explored
        if choice.probe is not None:
            routes.record_probe(choice.probe, m.country, now=now)
        return choice.order

    def outage(self, provider: str, m: Milestone, clock: Clock) -> None:
        self.store.routes.record_outage(
            provider, m.country, now=clock.now(), settings=self.rules.breaker
        )

    def accepted(self, provider: str, m: Milestone) -> None:
        self.store.routes.record_success(provider, m.country)

    def final(
        self,
        provider: str,
        m: Milestone,
        delivered: bool,
        seconds: float,
        cost: Decimal,
        clock: Clock,
    ) -> None:
        self.store.routes.record_outcome(
            provider,
            m.country,
            "delivered" if delivered else "failed",
            now=clock.now(),
            half_life_seconds=self.rules.half_life_hours * 3600,
            seconds_to_final=seconds,
            cost_usd=cost,
        )
