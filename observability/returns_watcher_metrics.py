"""The returns watchers' own gauges (intake/returns_watcher.py), set by each replica's
watcher after every pass, so no scrape reads a table. Only the replica holding a table's
lease reads it: take ``max by (account)`` across replicas."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from observability.metrics import REGISTRY

HOLDING = Gauge(
    "herald_returns_watcher_holding",
    "1 while this replica holds the table's lease and reads it, else 0",
    ["account"],
    registry=REGISTRY,
)
READ_TO_END = Gauge(
    "herald_returns_watcher_read_to_end_timestamp_seconds",
    "When this replica last read the table to its end (Unix time): its lag is now less this",
    ["account"],
    registry=REGISTRY,
)
FAILURES = Gauge(
    "herald_returns_watcher_failures",
    "Passes failed in a row in this replica (the database away, a column renamed)",
    ["account"],
    registry=REGISTRY,
)
ROWS = Counter(
    "herald_returns_watcher_rows",
    "Rows read from the table, the overlap's again included",
    ["account"],
    registry=REGISTRY,
)
