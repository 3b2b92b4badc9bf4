"""The intake's Prometheus metrics (docs/intake.md, Health), on Herald's one registry.

Two kinds, so that a scrape never scans the intake's tables:
- counters bumped on the write path (intake/handoff.py, the dispatcher, the prune): each
  replica counts what it handled, and ``sum(rate(...))`` across replicas is the service;
- gauges read at scrape time from the health snapshot the HTTP service refreshes every 15
  seconds from cheap aggregates (intake/health_monitor.py), ``publish``-ed here; each
  replica reports the same shared state, so alert on ``max by (source, account)``.

Labels: ``source`` (a source module's name), ``account`` (a shop, a carrier account: from
configuration or the service's credential holder, so bounded), ``band`` (critical, normal,
low: intake/source.py's priorities).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from observability.metrics import REGISTRY

INTAKE_EVENTS = Counter(
    "herald_intake_events",
    "Source events by outcome: accepted into the inbox, duplicate (a redelivery, written "
    "once), refused (the payload kept as a dead letter)",
    ["source", "account", "outcome"],
    registry=REGISTRY,
)
INTAKE_DISPATCHES = Counter(
    "herald_intake_dispatches",
    "Inbox events signalled to their workflows (signalled) or not yet (failed: retried "
    "after a back-off); follow_up_given_up: signalled, but what follows it (a tracking "
    "poller's start) failed every try",
    ["source", "account", "outcome"],
    registry=REGISTRY,
)
PRUNED = Counter(
    "herald_intake_pruned_rows",
    "Rows the intake's housekeeping deleted past their retention",
    ["table"],
    registry=REGISTRY,
)


@dataclass(frozen=True)
class SourceGauges:
    """One source and account's health, as the gauges show it."""

    source: str
    account: str
    last_event_at: datetime | None
    waiting: int
    oldest_waiting_at: datetime | None
    error_ratio: float | None  # refused of all payloads in the last hour; None: none came
    silent: bool
    failing: bool


class _IntakeGauges(Collector):
    """The latest published snapshot, as gauges; ages computed at scrape time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sources: Sequence[SourceGauges] = ()
        self._letters: Mapping[tuple[str, str, str], int] = {}
        self._taken_at: datetime | None = None

    def publish(
        self,
        sources: Sequence[SourceGauges],
        open_letters: Mapping[tuple[str, str, str], int],
        taken_at: datetime,
    ) -> None:
        with self._lock:
            self._sources, self._letters, self._taken_at = sources, open_letters, taken_at

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self._lock:
            sources, letters, taken_at = self._sources, self._letters, self._taken_at
        if taken_at is None:
            return  # no snapshot yet (not the HTTP service, or just started)
        now = datetime.now(UTC)
        labels = ["source", "account"]
        families = {
            name: GaugeMetricFamily(name, text, labels=labels)
            for name, text in (
                ("herald_intake_last_event_age_seconds", "Since the source's last event"),
                ("herald_intake_waiting", "Inbox events not yet signalled (the backlog)"),
                (
                    "herald_intake_oldest_waiting_seconds",
                    "Age of the oldest event not yet signalled (the lag); 0: none waits",
                ),
                ("herald_intake_error_ratio", "Refused share of the last hour's payloads"),
                ("herald_intake_silent", "1: quiet for longer than its usual gap"),
                ("herald_intake_failing", "1: a fifth or more of its payloads refused"),
            )
        }
        for s in sources:
            key = [s.source, s.account]
            if s.last_event_at is not None:
                age = (now - s.last_event_at).total_seconds()
                families["herald_intake_last_event_age_seconds"].add_metric(key, age)
            families["herald_intake_waiting"].add_metric(key, s.waiting)
            lag = (now - s.oldest_waiting_at).total_seconds() if s.oldest_waiting_at else 0.0
            families["herald_intake_oldest_waiting_seconds"].add_metric(key, lag)
            if s.error_ratio is not None:
                families["herald_intake_error_ratio"].add_metric(key, s.error_ratio)
            families["herald_intake_silent"].add_metric(key, int(s.silent))
            families["herald_intake_failing"].add_metric(key, int(s.failing))
        yield from families.values()
        open_letters = GaugeMetricFamily(
            "herald_intake_dead_letters_open",
            "Dead letters neither replayed nor discarded, by priority band",
            labels=["source", "account", "band"],
        )
        for (source, account, band), count in sorted(letters.items()):
            open_letters.add_metric([source, account, band], count)
        yield open_letters
        yield GaugeMetricFamily(
            "herald_intake_health_age_seconds",
            "Since the snapshot these intake gauges come from was taken",
            value=(now - taken_at).total_seconds(),
        )


INTAKE_GAUGES = _IntakeGauges()
REGISTRY.register(INTAKE_GAUGES)
