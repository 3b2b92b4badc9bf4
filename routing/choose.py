"""Choose the provider for one SMS, and the order of the others for failover.

Method: Thompson sampling on a Beta posterior of each route's delivery rate, with the
evidence decayed exponentially in time (routing/estimates.py), plus a small uniform
exploration share. Why:
- Delivery is a yes/no outcome per message, which a Beta posterior models exactly; the
  posterior's width is the uncertainty, so sampling from it explores a route in proportion
  to the chance that it is the best one. A route measured on thousands of messages is
  barely explored; a new or a changed one is tried until its estimate is firm. No
  schedule of epsilon or temperature to tune by hand, which a fixed epsilon-greedy needs.
- Routes change (a carrier moves traffic to a grey route, a provider fixes one): the decay
  bounds how much old evidence counts (discounted Thompson sampling), so the posterior never
  grows so sure that a degraded route keeps its traffic, nor a recovered one stays unused.
- Thompson sampling alone stops trying a route that looks clearly worse; with decayed
  evidence its estimate would then freeze at its last value. The ``exploration_share``
  (2% by default) sends a few messages uniformly across the admitted routes so every
  estimate stays fresh; a failed exploration costs no delivery, since failover follows.
Each candidate's score, in USD per message, trades delivery against cost and speed:
``sampled rate x value of a delivered update - price per attempt - seconds to the final
report x cost of a second (+ a bonus where the rules prefer the provider)``. The route
with the highest score sends; the others follow in score order for failover.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from providers.sms_provider import ProviderName
from routing.breaker import BreakerState
from routing.destination import Destination
from routing.estimates import RouteStats
from routing.rules import RoutingRules
from routing.senders import sender_for


@dataclass(frozen=True)
class RouteScore:
    provider: ProviderName
    score: float
    sampled_rate: float
    delivery_rate: float  # posterior mean
    observations: float  # decayed message count behind the estimate
    price_usd: float | None
    cost_per_delivered_usd: float | None
    seconds_to_final: float
    breaker: str
    preferred: bool

    def as_json(self) -> dict[str, object]:
        return {
            "provider": self.provider,
            "score": round(self.score, 5),
            "sampled_rate": round(self.sampled_rate, 4),
            "delivery_rate": round(self.delivery_rate, 4),
            "observations": round(self.observations, 1),
            "price_usd": self.price_usd,
            "cost_per_delivered_usd": self.cost_per_delivered_usd,
            "seconds_to_final": round(self.seconds_to_final, 2),
            "breaker": self.breaker,
            "preferred": self.preferred,
        }


@dataclass(frozen=True)
class RouteChoice:
    """The providers to try, in order, and why. Empty ``order``: no SMS route is allowed."""

    destination: Destination
    order: tuple[ProviderName, ...]
    reason: str
    scores: tuple[RouteScore, ...] = ()
    explored: bool = False
    probe: ProviderName | None = None  # a half-open breaker this choice probes
    excluded: Mapping[str, str] = field(default_factory=dict)  # provider: why not

    @property
    def provider(self) -> ProviderName | None:
        return self.order[0] if self.order else None

    def as_json(self) -> dict[str, object]:
        return {
            "country": self.destination.country,
            "number_type": self.destination.number_type,
            "order": list(self.order),
            "reason": self.reason,
            "explored": self.explored,
            "probe": self.probe,
            "excluded": dict(self.excluded),
            "scores": [s.as_json() for s in self.scores],
        }


def choose_route(
    destination: Destination,
    *,
    rules: RoutingRules,
    available: Sequence[ProviderName],
    stats: Mapping[str, RouteStats],
    breakers: Mapping[str, BreakerState],
    now: datetime,
    rng: random.Random,
    parts: int = 1,
) -> RouteChoice:
    """``stats``/``breakers`` by provider for this destination's country."""
    rule = rules.rule_for(destination)
    excluded: dict[str, str] = {}
    candidates: list[ProviderName] = []
    for provider in rule.providers():
        if provider not in available:
            excluded[provider] = "not configured"
            continue
        if rules.senders is not None and not sender_for(
            provider, destination.country, rules.senders
        ):
            excluded[provider] = f"no sender for {destination.country or 'this country'}"
            continue
        price = rules.list_price(provider, destination.country)
        ceiling = rule.price_ceiling_usd
        if ceiling is not None and price is not None and price > ceiling:
            excluded[provider] = f"price {price} over the ceiling {ceiling}"
            continue
        candidates.append(provider)
    for provider in available:
        if provider not in rule.providers() and provider not in excluded:
            excluded[provider] = "blocked" if provider in rule.blocked else "not allowed"
    if not candidates:
        return RouteChoice(destination, (), "no provider is allowed here", excluded=excluded)

    scores = [
        _score(p, destination, rules, stats, breakers, now, rng, parts, p in rule.preferred)
        for p in candidates
    ]
    admitted = [s for s in scores if s.breaker != "open"]
    shut = [s for s in scores if s.breaker == "open"]
    ranked = sorted(admitted, key=lambda s: s.score, reverse=True)
    explored = False
    if len(ranked) > 1 and rng.random() < rules.exploration_share:
        pick = ranked[rng.randrange(len(ranked))]
        explored = pick is not ranked[0]
        ranked.remove(pick)
        ranked.insert(0, pick)
    # Open breakers stay at the end: when every route is shut, trying one beats no SMS.
    order = [s.provider for s in ranked] + [
        s.provider for s in sorted(shut, key=lambda s: -s.score)
    ]
    probe = next((s.provider for s in ranked if s.breaker == "half_open"), None)
    reason = _reason(ranked, shut, explored, destination)
    return RouteChoice(
        destination=destination,
        order=tuple(order),
        reason=reason,
        scores=tuple(scores),
        explored=explored,
        probe=probe if order and probe == order[0] else None,
        excluded=excluded,
    )


def _score(
    provider: ProviderName,
    destination: Destination,
    rules: RoutingRules,
    stats: Mapping[str, RouteStats],
    breakers: Mapping[str, BreakerState],
    now: datetime,
    rng: random.Random,
    parts: int,
    preferred: bool,
) -> RouteScore:
    route = stats.get(provider) or RouteStats(provider, destination.country)
    route = route.decayed(now, rules.half_life_hours * 3600)
    sampled = rng.betavariate(route.delivered + 1.0, route.failed + 1.0)
    list_price = rules.list_price(provider, destination.country)
    per_attempt = route.cost_per_attempt(list_price * parts if list_price is not None else None)
    seconds = route.seconds_to_final(rules.prior_seconds_to_final)
    value = float(rules.delivered_value_usd)
    score = (
        sampled * value
        - float(per_attempt or 0)
        - seconds * float(rules.second_cost_usd)
        + (float(rules.preferred_bonus_usd) if preferred else 0.0)
    )
    breaker = breakers.get(provider) or BreakerState(provider, destination.country)
    mode = breaker.mode_at(now, rules.breaker)
    if mode == "half_open" and not breaker.admits(now, rules.breaker):
        mode = "open"  # a probe is already under way
    per_delivered = route.cost_per_delivered(list_price)
    return RouteScore(
        provider=provider,
        score=score,
        sampled_rate=sampled,
        delivery_rate=route.delivery_rate,
        observations=route.observations,
        price_usd=float(per_attempt) if per_attempt is not None else None,
        cost_per_delivered_usd=float(per_delivered) if per_delivered is not None else None,
        seconds_to_final=seconds,
        breaker=mode,
        preferred=preferred,
    )


def _reason(
    ranked: list[RouteScore], shut: list[RouteScore], explored: bool, where: Destination
) -> str:
    place = f"{where.country or '?'} {where.number_type}"
    if not ranked:
        return f"{place}: every route's breaker is open; trying {shut[0].provider} anyway"
    first = ranked[0]
    measured = (
        f"delivery {first.delivery_rate:.1%} over {first.observations:.0f} recent messages"
        if first.observations >= 1
        else "not measured yet"
    )
    price = f", ${first.price_usd:.4f} per message" if first.price_usd is not None else ""
    why = "exploring (a share of traffic keeps estimates fresh)" if explored else "best score"
    others = ", ".join(f"{s.provider} {s.score:.4f}" for s in ranked[1:])
    text = f"{place}: {first.provider} by {why}, score {first.score:.4f} ({measured}{price})"
    if others:
        text += f"; then {others}"
    if shut:
        text += "; breaker open: " + ", ".join(s.provider for s in shut)
    return text
