"""The Temporal SDK's own metrics (polls, task latencies, slots, schedule-to-start...).

The SDK's core serves them in Prometheus's format on a loopback port of its own; the
process's ``/metrics`` appends them to Herald's, so one scrape sees both.
"""

from __future__ import annotations

import logging
import socket
from functools import lru_cache

import httpx
from temporalio.runtime import (
    LogForwardingConfig,
    LoggingConfig,
    PrometheusConfig,
    Runtime,
    TelemetryConfig,
    TelemetryFilter,
)


def _free_loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def core_logging() -> LoggingConfig:
    """The SDK core's own warnings (its connection retries...) as this process's log
    lines, JSON like the rest, instead of the core's coloured text on stderr."""
    return LoggingConfig(
        filter=TelemetryFilter(core_level="WARN", other_level="ERROR"),
        forwarding=LogForwardingConfig(logger=logging.getLogger("temporalio.core")),
    )


@lru_cache(maxsize=1)
def logging_runtime() -> Runtime:
    """A runtime for a process that serves no SDK metrics (the HTTP service): one per
    process, as each runtime has threads of its own."""
    return Runtime(telemetry=TelemetryConfig(logging=core_logging(), metrics=None))


class SdkMetrics:
    """A Temporal runtime whose metrics this process can read and re-serve."""

    def __init__(self) -> None:
        self.address = f"127.0.0.1:{_free_loopback_port()}"
        self.runtime = Runtime(
            telemetry=TelemetryConfig(
                logging=core_logging(),
                metrics=PrometheusConfig(
                    bind_address=self.address,
                    counters_total_suffix=True,
                    durations_as_seconds=True,
                ),
            )
        )

    async def exposition(self) -> bytes:
        """The SDK's metrics now; empty when its endpoint does not answer."""
        try:
            async with httpx.AsyncClient(timeout=2.0) as http:
                response = await http.get(f"http://{self.address}/metrics")
                response.raise_for_status()
        except httpx.HTTPError:
            return b""
        return response.content
