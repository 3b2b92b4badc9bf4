"""The KPIs as people read them, the same in ``herald stats`` and on the ``/stats`` page."""

from __future__ import annotations

from decimal import Decimal

from reporting.period import parse_period
from reporting.query import StatsFilter

FILTERS = ("merchant", "country", "provider", "milestone", "channel")


def stats_filter(period: str, **filters: str | None) -> StatsFilter:
    since, until = parse_period(period)
    return StatsFilter(since=since, until=until, **{k: v or None for k, v in filters.items()})


def format_figure(name: str, value: object) -> str:
    if value is None:
        return "—"
    if "rate" in name and isinstance(value, float):
        return f"{value * 100:.2f}%"
    if isinstance(value, Decimal):
        return f"${value:.4f}"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)
