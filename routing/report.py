"""What routing knows per country and provider, for people: ``herald routes`` and support.

Per route: the measured delivery rate (posterior mean) and how many recent messages it
rests on, seconds to the final report, cost per attempt and per delivered message, the
breaker; per country, the order a message would take now and why (one draw of the
choice, exploration left out so the answer shows the route that is winning).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from providers.sms_provider import ProviderName
from routing.breaker import BreakerState
from routing.choose import choose_route
from routing.destination import Destination
from routing.estimates import RouteStats
from routing.rules import RoutingRules


def routes_report(
    rules: RoutingRules,
    *,
    available: Sequence[ProviderName],
    stats: Iterable[RouteStats],
    breakers: Iterable[BreakerState],
    now: datetime,
    countries: Iterable[str] = (),
    seed: int = 0,
) -> list[dict[str, Any]]:
    half_life = rules.half_life_hours * 3600
    measured = {(s.country, s.provider): s.decayed(now, half_life) for s in stats}
    shut = {(b.country, b.provider): b for b in breakers}
    named = {r.country for r in rules.rules if r.country != "*"}
    every = sorted({c for c, _ in measured} | {c for c, _ in shut} | named | set(countries))
    steady = rules.model_copy(update={"exploration_share": 0.0})
    report = []
    for country in every:
        choice = choose_route(
            Destination(country, "mobile"),
            rules=steady,
            available=available,
            stats={p: s for (c, p), s in measured.items() if c == country},
            breakers={p: b for (c, p), b in shut.items() if c == country},
            now=now,
            rng=random.Random(seed),
        )
        providers = []
        for provider in available:
            route = measured.get((country, provider)) or RouteStats(provider, country)
            breaker = shut.get((country, provider)) or BreakerState(provider, country)
            price = rules.list_price(provider, country)
            per_attempt = route.cost_per_attempt(price)
            per_delivered = route.cost_per_delivered(price)
            providers.append(
                {
                    "provider": provider,
                    "delivery_rate": round(route.delivery_rate, 4),
                    "recent_messages": round(route.observations, 1),
                    "seconds_to_final": round(
                        route.seconds_to_final(rules.prior_seconds_to_final), 2
                    ),
                    "cost_per_attempt_usd": str(per_attempt) if per_attempt is not None else None,
                    "cost_per_delivered_usd": str(per_delivered)
                    if per_delivered is not None
                    else None,
                    "breaker": breaker.mode_at(now, rules.breaker),
                    "outages_in_a_row": breaker.failures,
                    "excluded": choice.excluded.get(provider),
                }
            )
        report.append(
            {
                "country": country,
                "order": list(choice.order),
                "reason": choice.reason,
                "providers": providers,
            }
        )
    return report
