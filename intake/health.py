"""Each source's health, per account (a shop, a carrier account), as the people who run
the intake read it: when it last sent, how much it sent and how much of that was refused in
the last hour, what still waits and for how long (the lag), and whether it has gone quiet
for longer than its own habit.

``source_health`` is pure: the store's counts in, a verdict out; ``status_report`` reads
them (store/intake_inbox.py, store/dead_letters.py) for the CLI and ``/intake/status``;
intake/health_monitor.py keeps a cheap, fresh copy for ``/health`` and the metrics.
A source is ``failing`` when at least a fifth of at least five payloads in the window were
refused (a mapping or a configuration broke), and ``silent`` when it sent before but nothing
in the window, or, sending steadily, has been quiet for ten of its usual gaps (a webhook
subscription removed, a poller stuck). Failing and silent sources come first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from intake.watcher_health import watcher_health
from store.intake_inbox import SourceActivity, SourceKey
from store.repository import Store

WINDOW = timedelta(hours=1)
FAILING_SHARE = 0.2
FAILING_MIN_PAYLOADS = 5
QUIET_GAPS = 10
STEADY_EVENTS = 3  # fewer in the window: too few to know a usual gap


@dataclass(frozen=True)
class SourceHealth:
    source: str
    account: str
    status: str  # ok, silent, failing
    last_event_at: datetime | None
    events_last_hour: int
    refused_last_hour: int
    waiting: int
    oldest_waiting_seconds: float | None  # the lag; None: nothing waits
    error_rate: float | None

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["last_event_at"] = self.last_event_at.isoformat() if self.last_event_at else None
        return data


def source_health(
    activity: Mapping[SourceKey, SourceActivity],
    refused: Mapping[SourceKey, int],
    now: datetime,
) -> list[SourceHealth]:
    reports = [
        _health(key, activity.get(key), refused.get(key, 0), now)
        for key in sorted(set(activity) | set(refused))
    ]
    order = {"failing": 0, "silent": 1, "ok": 2}
    return sorted(reports, key=lambda r: (order[r.status], r.source, r.account))


def _health(
    key: SourceKey, seen: SourceActivity | None, refused: int, now: datetime
) -> SourceHealth:
    seen = seen or SourceActivity(None, 0, 0)
    total = seen.events_since + refused
    rate = refused / total if total else None
    status = "ok"
    if total >= FAILING_MIN_PAYLOADS and rate is not None and rate >= FAILING_SHARE:
        status = "failing"
    elif seen.last_event_at is not None and _quiet(seen.last_event_at, seen.events_since, now):
        status = "silent"
    oldest = seen.oldest_waiting_at
    lag = (now - oldest).total_seconds() if oldest is not None else None
    return SourceHealth(
        *key, status, seen.last_event_at, seen.events_since, refused, seen.waiting, lag, rate
    )


def error_rates(store: Store, now: datetime) -> dict[SourceKey, float]:
    """Each source and account's refused share of the last hour's payloads, from the
    window's rows only (the dead-letter list ranks by it on every request)."""
    since = now - WINDOW
    sources = source_health(
        store.intake_inbox.activity(since, recent_only=True),
        store.dead_letters.seen_since(since),
        now,
    )
    return {(s.source, s.account): s.error_rate for s in sources if s.error_rate is not None}


def _quiet(last: datetime, events: int, now: datetime) -> bool:
    if events == 0:
        return True  # it sent before, and nothing for a whole window
    if events < STEADY_EVENTS:
        return False
    usual_gap = WINDOW / events
    return now - last > QUIET_GAPS * usual_gap


def status_report(store: Store, now: datetime) -> dict[str, object]:
    """The backlog, the open dead letters, each source's health and each table watcher's
    (intake/watcher_health.py), as JSON."""
    since = now - WINDOW
    sources = source_health(
        store.intake_inbox.activity(since), store.dead_letters.seen_since(since), now
    )
    return {
        "waiting": store.intake_inbox.backlog(),
        "oldest_waiting_seconds": store.intake_inbox.oldest_pending_age(now),
        "dead_letters": store.dead_letters.open_count(),
        "sources": [source.as_json() for source in sources],
        "watchers": [watcher_health(cursor, now) for cursor in store.intake_cursors.all()],
    }
