"""The intake's health kept fresh and cheap, for ``/health`` and the metrics.

Load balancers poll ``/health`` every few seconds and Prometheus scrapes ``/metrics``
every 15: neither may scan the inbox. So a task in each HTTP service replica (beside the
dispatcher, api/intake.py) refreshes a snapshot every ``REFRESH_SECONDS``, and both only
read it. A refresh reads the rows of the last hour's window (pending, or dispatched since:
an index range, intake_inbox.activity(recent_only=True)), the dead letters seen in it and
the open ones by priority; a source that sent nothing in the window is remembered from an
earlier refresh, and the first refresh after a start reads the whole inbox once so that a
source already quiet is known (a source quiet for longer than the inbox's retention is
forgotten by a restart: alert on silence long before that).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from intake.health import WINDOW, SourceHealth, source_health
from intake.source import PRIORITY_CRITICAL, PRIORITY_NORMAL
from observability.intake_metrics import INTAKE_GAUGES, SourceGauges
from store.intake_inbox import SourceActivity, SourceKey
from store.repository import Store

log = logging.getLogger(__name__)

REFRESH_SECONDS = 15.0  # Prometheus's scrape interval (deploy/prometheus)


def priority_band(priority: int) -> str:
    """A dead letter's priority as the metrics' band: critical milestones (a delivery
    problem, a refund), other milestones, payloads too broken to tell."""
    if priority >= PRIORITY_CRITICAL:
        return "critical"
    return "normal" if priority >= PRIORITY_NORMAL else "low"


@dataclass(frozen=True)
class HealthSnapshot:
    taken_at: datetime
    sources: list[SourceHealth]
    open_letters: dict[tuple[str, str, str], int] = field(default_factory=dict)

    def summary(self) -> dict[str, object]:
        """What ``/health`` shows: per source, how many accounts are silent or failing,
        and the backlog; account names stay behind the credential (``/intake/status``)."""
        by_source: dict[str, dict[str, int]] = {}
        for s in self.sources:
            counts = by_source.setdefault(
                s.source, {"accounts": 0, "silent": 0, "failing": 0, "waiting": 0}
            )
            counts["accounts"] += 1
            counts["waiting"] += s.waiting
            if s.status in ("silent", "failing"):
                counts[s.status] += 1
        lags = [s.oldest_waiting_seconds for s in self.sources if s.oldest_waiting_seconds]
        troubled = any(s.status != "ok" for s in self.sources)
        return {
            "status": "degraded" if troubled else "ok",
            "as_of": self.taken_at.isoformat(timespec="seconds"),
            "waiting": sum(s.waiting for s in self.sources),
            "oldest_waiting_seconds": round(max(lags), 1) if lags else None,
            "open_dead_letters": sum(self.open_letters.values()),
            "sources": by_source,
        }


class IntakeHealthMonitor:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._last_seen: dict[SourceKey, datetime] = {}
        self._seeded = False
        self._snapshot: HealthSnapshot | None = None

    @property
    def snapshot(self) -> HealthSnapshot | None:
        return self._snapshot

    def summary(self) -> dict[str, object]:
        if self._snapshot is None:
            return {"status": "unknown"}  # not refreshed yet (just started, or no store)
        return self._snapshot.summary()

    def refresh(self, now: datetime) -> HealthSnapshot:
        """Read the window's aggregates, judge each source, publish the gauges."""
        since = now - WINDOW
        activity = self._store.intake_inbox.activity(since, recent_only=self._seeded)
        self._seeded = True
        for key, last in self._last_seen.items():
            seen = activity.get(key)
            if seen is None:
                activity[key] = SourceActivity(last, 0, 0)
            elif seen.last_event_at is None or seen.last_event_at < last:
                activity[key] = SourceActivity(last, *_counts(seen))
        self._last_seen = {k: a.last_event_at for k, a in activity.items() if a.last_event_at}
        sources = source_health(activity, self._store.dead_letters.seen_since(since), now)
        letters: dict[tuple[str, str, str], int] = {}
        for (source, account, priority), n in self._store.dead_letters.open_by_priority().items():
            band = (source, account, priority_band(priority))
            letters[band] = letters.get(band, 0) + n
        snapshot = HealthSnapshot(now, sources, letters)
        self._snapshot = snapshot
        INTAKE_GAUGES.publish([_gauges(s, now) for s in sources], letters, now)
        return snapshot

    async def run_forever(self) -> None:
        while True:
            try:
                await asyncio.to_thread(self.refresh, datetime.now(UTC))
            except Exception:  # the store away: /health's database check says so
                log.exception("the intake's health could not be read")
            await asyncio.sleep(REFRESH_SECONDS)


def _counts(seen: SourceActivity) -> tuple[int, int, datetime | None]:
    return seen.events_since, seen.waiting, seen.oldest_waiting_at


def _gauges(s: SourceHealth, now: datetime) -> SourceGauges:
    lag = s.oldest_waiting_seconds
    return SourceGauges(
        source=s.source,
        account=s.account,
        last_event_at=s.last_event_at,
        waiting=s.waiting,
        oldest_waiting_at=None if lag is None else now - timedelta(seconds=lag),
        error_ratio=s.error_rate,
        silent=s.status == "silent",
        failing=s.status == "failing",
    )
