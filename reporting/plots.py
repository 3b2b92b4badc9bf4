"""The KPIs over time, as SVG drawn on the server by pygal: the page needs no script and
fetches nothing from the internet (pygal's tooltips script, which it would link from a
CDN, is left out)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import pygal
from pygal.style import CleanStyle

from reporting.figures import Kpis, compute
from reporting.query import MessageFigures


def bucket_size(first: datetime, last: datetime) -> timedelta:
    span = last - first
    if span <= timedelta(hours=3):
        return timedelta(minutes=5)
    if span <= timedelta(days=3):
        return timedelta(hours=1)
    return timedelta(days=1)


def by_bucket(
    messages: Sequence[MessageFigures],
) -> tuple[timedelta, list[tuple[datetime, Kpis]]]:
    """The KPIs of each period (by when the message was created), oldest first."""
    if not messages:
        return timedelta(hours=1), []
    size = bucket_size(messages[0].created_at, messages[-1].created_at)
    step = size.total_seconds()
    groups: dict[datetime, list[MessageFigures]] = {}
    for m in messages:
        start = datetime.fromtimestamp(m.created_at.timestamp() // step * step, m.created_at.tzinfo)
        groups.setdefault(start, []).append(m)
    return size, [(start, compute(group)) for start, group in sorted(groups.items())]


def _chart(title: str, y_title: str) -> pygal.Line:
    return pygal.Line(
        title=title,
        y_title=y_title,
        style=CleanStyle,
        js=[],  # no tooltips script from a CDN: the page works offline
        disable_xml_declaration=True,
        x_label_rotation=30,
        show_minor_x_labels=False,
        width=720,
        height=300,
        explicit_size=False,
        print_values=False,
        dots_size=3,
        allow_interruptions=True,
    )


def plots(messages: Sequence[MessageFigures]) -> list[str]:
    """Three SVG charts: delivery rate, times, volume; empty when there is nothing."""
    size, buckets = by_bucket(messages)
    if not buckets:
        return []
    fmt = "%m-%d" if size >= timedelta(days=1) else "%m-%d %H:%M"
    labels = [start.strftime(fmt) for start, _ in buckets]

    rate = _chart("Delivery rate over time", "%")
    rate.x_labels = labels
    rate.add("delivery rate", [_pct(k.delivery_rate) for _, k in buckets])
    rate.add(
        "target 98.5%", [98.5] * len(buckets), show_dots=False, stroke_style={"dasharray": "6,4"}
    )

    times = _chart("Time to delivery and to first update", "seconds")
    times.x_labels = labels
    times.add("avg time to delivery", [k.average_delivery_seconds for _, k in buckets])
    times.add("p95 time to delivery", [k.p95_delivery_seconds for _, k in buckets])
    times.add("avg event to first update", [k.average_first_update_seconds for _, k in buckets])

    volume = _chart("SMS and fallbacks", "messages")
    volume.x_labels = labels
    volume.add("SMS", [k.sms for _, k in buckets])
    volume.add("delivered", [k.sms_delivered for _, k in buckets])
    volume.add("fallbacks", [k.fallbacks for _, k in buckets])
    return [chart.render(is_unicode=True) for chart in (rate, times, volume)]


def _pct(value: float | None) -> float | None:
    return round(value * 100, 2) if value is not None else None
