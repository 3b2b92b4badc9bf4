"""The benchmark's world: what each provider really does per country, and how the sandbox
is told so. Times are world seconds; the run plays them ``time_scale`` times faster."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from providers.sms_provider import ProviderName
from routing.destination import Destination
from routing.rules import BreakerSettings, RouteRule, RoutingRules


@dataclass(frozen=True)
class TrueRoute:
    delivery_rate: float
    report_seconds: float
    price_usd: Decimal  # per part


# Twilio 99% in the US and 88% in Brazil; Vonage 97% in Brazil and 95% in the US; Plivo
# 99% in Brazil at a higher price (Plivo is left out of the US: it sends no delivery
# reports there, so its US delivery could not be measured).
WORLD: dict[str, dict[ProviderName, TrueRoute]] = {
    "US": {
        "twilio": TrueRoute(0.99, 3.0, Decimal("0.0079")),
        "vonage": TrueRoute(0.95, 4.0, Decimal("0.0081")),
    },
    "BR": {
        "twilio": TrueRoute(0.88, 8.0, Decimal("0.0350")),
        "vonage": TrueRoute(0.97, 5.0, Decimal("0.0300")),
        "plivo": TrueRoute(0.99, 6.0, Decimal("0.0420")),
    },
}
PREFIX = {"US": "+1", "BR": "+55"}
DOWN_PROVIDER: ProviderName = "twilio"


def routing_rules() -> RoutingRules:
    """What Herald is configured with: the allowed routes and list prices, not the rates."""
    return RoutingRules(
        rules=[
            RouteRule(country="US", allowed=["twilio", "vonage"], preferred=["twilio"]),
            RouteRule(country="BR", allowed=["twilio", "vonage", "plivo"]),
        ],
        prices_usd={
            provider: {
                country: WORLD[country][provider].price_usd
                for country in WORLD
                if provider in WORLD[country]
            }
            for provider in ("twilio", "vonage", "plivo")
        },
        breaker=BreakerSettings(failures_to_open=3, open_seconds=20.0, probe_every_seconds=5.0),
    )


def true_score(rules: RoutingRules, country: str, provider: ProviderName, parts: int) -> float:
    """The score routing/choose.py maximises, computed from the truth."""
    route = WORLD[country][provider]
    preferred = provider in rules.rule_for(Destination(country, "mobile")).preferred
    return (
        route.delivery_rate * float(rules.delivered_value_usd)
        - float(route.price_usd) * parts
        - route.report_seconds * float(rules.second_cost_usd)
        + (float(rules.preferred_bonus_usd) if preferred else 0.0)
    )


def apply(
    sandbox: httpx.Client, *, scale: float, outage: tuple[float, float] | None, seed: int
) -> None:
    """Install the world in the sandbox: Vonage and Plivo through their world settings,
    Twilio through its destination rules (the outage by a rule switched at run time)."""
    for provider in ("vonage", "plivo"):
        conditions = [
            {
                "country": country,
                "delivery_rate": routes[provider].delivery_rate,
                "report_delay_seconds": routes[provider].report_seconds * scale,
                "price": str(routes[provider].price_usd),
            }
            for country, routes in WORLD.items()
            if provider in routes
        ]
        sandbox.put(
            f"/sandbox/world/{provider}", json=conditions, params={"seed": seed}
        ).raise_for_status()
    sandbox.put(
        "/sandbox/rules", json=twilio_rules(scale, down=False), params={"seed": seed}
    ).raise_for_status()


def twilio_rules(scale: float, *, down: bool) -> list[dict[str, Any]]:
    rules = []
    for country, routes in WORLD.items():
        route = routes["twilio"]
        rule: dict[str, Any] = {
            "to": PREFIX[country] + "*",
            "final_status": "undelivered",
            "final_error_code": 30003,
            "failure_rate": round(1 - route.delivery_rate, 6),
            "callback_delay_seconds": route.report_seconds * scale,
        }
        if down:
            rule |= {
                "api_error_status": 503,
                "api_error_code": 20503,
                "api_error_message": "Service Unavailable",
            }
        rules.append(rule)
    return rules
