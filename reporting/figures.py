"""The KPIs from the messages (pure: the same rows always give the same figures).

Definitions, stated once:
- delivery rate: SMS delivered / SMS with an outcome (delivered, undelivered, failed, or
  refused at the send); SMS still waiting for a report count in ``sms_pending`` only;
- time to delivery: from the provider's accept to the "delivered" report (mean, p95);
- cost per SMS: estimated cost of accepted SMS / their number; per segment: / segments;
- event to first update: per OMS event, from the event's time to the first accept of any
  message about it (mean, p95);
- fallback rate: SMS with an outcome that another channel replaced / SMS with an outcome;
- e-mail open rate: tracked e-mails opened / tracked e-mails sent.
p95 is the nearest-rank percentile: the smallest value with 95% of the values at or below.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from reporting import targets
from reporting.query import MessageFigures


@dataclass(frozen=True)
class Kpis:
    messages: int
    sms: int
    sms_delivered: int
    sms_undelivered: int
    sms_failed: int  # a "failed" report, or refused for good at the send
    sms_pending: int
    delivery_rate: float | None
    average_delivery_seconds: float | None
    p95_delivery_seconds: float | None
    cost_per_sms_usd: Decimal | None
    cost_per_segment_usd: Decimal | None
    events: int
    average_first_update_seconds: float | None
    p95_first_update_seconds: float | None
    fallbacks: int
    fallback_rate: float | None
    emails_tracked: int
    emails_opened: int
    email_open_rate: float | None

    def with_targets(self) -> list[dict[str, Any]]:
        """Each figure that has a target, beside it, and whether it meets it."""
        rows = [
            ("delivery rate", self.delivery_rate, targets.DELIVERY_RATE),
            (
                "average time to delivery (s)",
                self.average_delivery_seconds,
                targets.AVERAGE_DELIVERY_SECONDS,
            ),
            ("p95 time to delivery (s)", self.p95_delivery_seconds, None),
            ("cost per SMS (USD)", self.cost_per_sms_usd, None),
            ("cost per segment (USD)", self.cost_per_segment_usd, targets.COST_PER_SEGMENT_USD),
            (
                "average OMS event to first update (s)",
                self.average_first_update_seconds,
                targets.AVERAGE_FIRST_UPDATE_SECONDS,
            ),
            ("p95 OMS event to first update (s)", self.p95_first_update_seconds, None),
            ("fallback rate", self.fallback_rate, None),
            ("e-mail open rate", self.email_open_rate, targets.EMAIL_OPEN_RATE),
        ]
        return [
            {
                "figure": name,
                "value": value,
                "target": target.text if target else None,
                "meets_target": target.met_by(value) if target else None,
            }
            for name, value, target in rows
        ]

    def as_json(self) -> dict[str, Any]:
        values = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(self).items()}
        return {
            "figures": values,
            "against_targets": [
                {
                    **row,
                    "value": str(row["value"])
                    if isinstance(row["value"], Decimal)
                    else row["value"],
                }
                for row in self.with_targets()
            ],
        }


def compute(messages: Sequence[MessageFigures]) -> Kpis:
    sms = [m for m in messages if m.channel == "sms"]
    delivered = [m for m in sms if m.final_status == "delivered"]
    undelivered = [m for m in sms if m.final_status == "undelivered"]
    failed = [m for m in sms if m.final_status == "failed" or (m.refused and not m.final_status)]
    finished = len(delivered) + len(undelivered) + len(failed)
    accepted = [m for m in sms if m.sent_at is not None]
    cost = sum((m.cost_usd or Decimal(0) for m in accepted), Decimal(0))
    segments = sum(m.segments or 0 for m in accepted)
    delivery_times = [
        delivery_seconds(start, m.final_at)
        for m in delivered
        if m.final_at is not None and (start := m.provider_called_at or m.sent_at) is not None
    ]
    first_updates = _first_updates(messages)
    replaced = {m.fallback_of for m in messages if m.fallback_of}
    fallbacks = sum(1 for m in sms if m.message_key in replaced)
    emails = [m for m in messages if m.channel == "email" and m.open_tracked and m.sent_at]
    opened = sum(1 for m in emails if m.opened_at is not None)
    return Kpis(
        messages=len(messages),
        sms=len(sms),
        sms_delivered=len(delivered),
        sms_undelivered=len(undelivered),
        sms_failed=len(failed),
        sms_pending=len(sms) - finished,
        delivery_rate=_ratio(len(delivered), finished),
        average_delivery_seconds=_mean(delivery_times),
        p95_delivery_seconds=percentile(delivery_times, 95),
        cost_per_sms_usd=_money(cost, len(accepted)),
        cost_per_segment_usd=_money(cost, segments),
        events=len(first_updates),
        average_first_update_seconds=_mean(first_updates),
        p95_first_update_seconds=percentile(first_updates, 95),
        fallbacks=fallbacks,
        fallback_rate=_ratio(fallbacks, finished),
        emails_tracked=len(emails),
        emails_opened=opened,
        email_open_rate=_ratio(opened, len(emails)),
    )


def delivery_seconds(handed_over_at: datetime, final_at: datetime) -> float:
    """An SMS's time to delivery: from Herald handing it to the provider to the report.

    Not from ``sent_at``, the worker's stamp once the provider's answer came back: the
    delivery report can reach the HTTP service before that answer reaches the worker,
    which made fast deliveries read as negative. Hosts' clocks differ a little too, so
    never below zero."""
    return max((final_at - handed_over_at).total_seconds(), 0.0)


def _first_updates(messages: Sequence[MessageFigures]) -> list[float]:
    first: dict[tuple[str, str], float] = {}
    for m in messages:
        if m.sent_at is None:
            continue
        waited = (m.sent_at - m.event_occurred_at).total_seconds()
        key = (m.workflow_id, m.event_id)
        first[key] = min(first.get(key, waited), waited)
    return list(first.values())


def percentile(values: Sequence[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)]


def _mean(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None  # exact sum: order-free


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _money(total: Decimal, count: int) -> Decimal | None:
    return (total / count).quantize(Decimal("0.000001")) if count else None
