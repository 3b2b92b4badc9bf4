"""Each source's health, as the people who run the intake read it: when it last sent,
how much it sent and how much of that was refused in the last hour, what still waits, and
whether it has gone quiet for longer than its own habit.

``source_health`` is pure: the store's counts in, a verdict out; ``status_report`` reads
them (store/intake_inbox.py, store/dead_letters.py) for the CLI and ``/intake/status``.
A source is ``failing`` when at least a fifth of at least five payloads in the window were
refused (a mapping or a configuration broke), and ``silent`` when it sent before but nothing
in the window, or, sending steadily, has been quiet for ten of its usual gaps (a webhook
subscription removed, a poller stuck). Failing and silent sources come first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from store.intake_inbox import SourceActivity
from store.repository import Store

WINDOW = timedelta(hours=1)
FAILING_SHARE = 0.2
FAILING_MIN_PAYLOADS = 5
QUIET_GAPS = 10
STEADY_EVENTS = 3  # fewer in the window: too few to know a usual gap


@dataclass(frozen=True)
class SourceHealth:
    source: str
    status: str  # ok, silent, failing
    last_event_at: datetime | None
    events_last_hour: int
    refused_last_hour: int
    waiting: int
    error_rate: float | None

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["last_event_at"] = self.last_event_at.isoformat() if self.last_event_at else None
        return data


def source_health(
    activity: Mapping[str, SourceActivity], refused: Mapping[str, int], now: datetime
) -> list[SourceHealth]:
    reports = [
        _health(source, activity.get(source), refused.get(source, 0), now)
        for source in sorted(set(activity) | set(refused))
    ]
    order = {"failing": 0, "silent": 1, "ok": 2}
    return sorted(reports, key=lambda r: (order[r.status], r.source))


def _health(source: str, seen: SourceActivity | None, refused: int, now: datetime) -> SourceHealth:
    events = seen.events_since if seen else 0
    last = seen.last_event_at if seen else None
    total = events + refused
    rate = refused / total if total else None
    status = "ok"
    if total >= FAILING_MIN_PAYLOADS and rate is not None and rate >= FAILING_SHARE:
        status = "failing"
    elif last is not None and _quiet(last, events, now):
        status = "silent"
    return SourceHealth(source, status, last, events, refused, seen.waiting if seen else 0, rate)


def _quiet(last: datetime, events: int, now: datetime) -> bool:
    if events == 0:
        return True  # it sent before, and nothing for a whole window
    if events < STEADY_EVENTS:
        return False
    usual_gap = WINDOW / events
    return now - last > QUIET_GAPS * usual_gap


def status_report(store: Store, now: datetime) -> dict[str, object]:
    """The backlog, the open dead letters and each source's health, as JSON."""
    since = now - WINDOW
    sources = source_health(
        store.intake_inbox.by_source(since), store.dead_letters.seen_since(since), now
    )
    return {
        "waiting": store.intake_inbox.backlog(),
        "oldest_waiting_seconds": store.intake_inbox.oldest_pending_age(now),
        "dead_letters": store.dead_letters.open_count(),
        "sources": [source.as_json() for source in sources],
    }
