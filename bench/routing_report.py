"""The routing benchmark's report: figures per country and overall, the world, the targets."""

from __future__ import annotations

import statistics
from collections import Counter
from decimal import Decimal
from typing import Any

from bench.routing_plan import Result
from bench.routing_world import WORLD


def summarise(results: list[Result]) -> dict[str, Any]:
    def figures(rows: list[Result]) -> dict[str, Any]:
        delivered = [r for r in rows if r.delivered]
        seconds = [r.seconds for r in delivered if r.seconds is not None]
        cost = sum((r.cost for r in rows), Decimal(0))
        return {
            "milestones": len(rows),
            "delivery_rate": round(len(delivered) / len(rows), 4) if rows else None,
            "mean_seconds_to_delivery": round(statistics.fmean(seconds), 2) if seconds else None,
            "p95_seconds_to_delivery": round(statistics.quantiles(seconds, n=20)[18], 2)
            if len(seconds) > 1
            else None,
            "cost_per_delivered_usd": round(float(cost / len(delivered)), 5) if delivered else None,
            "duplicates_delivered": sum(1 for r in rows if r.delivered_attempts > 1),
            "attempts": sum(len(r.attempts) for r in rows),
            "failovers": sum(1 for r in rows if len({a.provider for a in r.attempts}) > 1),
            "undelivered_after": dict(
                Counter(
                    "/".join(f"{a.provider}:{a.outcome}" for a in r.attempts) or "no route"
                    for r in rows
                    if not r.delivered
                )
            ),
        }

    by_country = {c: figures([r for r in results if r.milestone.country == c]) for c in WORLD}
    return {"overall": figures(results), **by_country}


def world_report() -> dict[str, Any]:
    """Each route's true rate, report delay and price, as the report opens with them."""
    return {
        c: {p: vars(r) | {"price_usd": str(r.price_usd)} for p, r in routes.items()}
        for c, routes in WORLD.items()
    }


def targets(report: dict[str, Any]) -> dict[str, bool]:
    """Herald's routing against the targets: its delivery rate, the oracle's, no duplicates."""
    herald, oracle = report["herald"]["overall"], report["oracle"]["overall"]
    return {
        "herald_delivery_rate_at_least_98.5%": herald["delivery_rate"] >= 0.985,
        "herald_within_one_point_of_oracle": herald["delivery_rate"]
        >= oracle["delivery_rate"] - 0.01,
        "herald_cost_within_10%_of_oracle": herald["cost_per_delivered_usd"]
        <= oracle["cost_per_delivered_usd"] * 1.10,
        "no_duplicates": herald["duplicates_delivered"] == 0,
    }
