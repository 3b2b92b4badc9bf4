"""One measured run of the milestone benchmark: plan, drive, drain, settle, and its JSON figures.

``Bench`` holds what every run shares (options, the processes' pids, the sandbox client, the
output streams) and the peak rate seen; ``sustained`` says whether a run kept up.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import dataclass, field
from typing import IO, Any

import httpx

from bench.load import Load, Phones, Target
from bench.measure import CpuMeter, peak_rss_mb, percentiles, reset_sandbox
from bench.milestone_options import Options
from bench.stack_setup import progress
from config.settings import Settings

MIN_ACHIEVED = 0.95  # of the offered rate, to count as sustained
MAX_P99_MS = 1000.0
SETTLE_SECONDS = 1.5  # after the callback delay: trailing delivery reports land
QUIET_PERCENT = 25.0  # of one core, server, workers and HTTP service together: idle enough
QUIET_MAX_SECONDS = 60.0
NOISY_PERCENT = 20.0  # CPU used by other processes during a run, of one core


@dataclass
class Bench:
    options: Options
    settings: Settings
    pids: dict[str, int]
    sandbox: httpx.AsyncClient
    out: list[IO[str]]
    phones: Phones = field(default_factory=Phones)
    began: float = field(default_factory=time.monotonic)
    runs: int = 0
    peak_achieved: dict[str, float] = field(default_factory=dict)  # over every measured run

    def emit(self, record: dict[str, Any]) -> None:
        line = json.dumps(record)
        for stream in self.out:
            print(line, file=stream, flush=True)

    def elapsed(self) -> float:
        return time.monotonic() - self.began

    async def warm_up(self, target: Target) -> None:
        """Worker start-up, imports and connection pools happen here, not in the figures."""
        load = self._plan(target, 10.0, 4.0, spacing=1.0)
        await load.run()
        await load.drain(self.sandbox, stall=30.0)
        if load.received() < len(load.slots):
            raise RuntimeError(
                f"{target.name}: {load.received()} of {len(load.slots)} warm-up messages"
                " reached the sandbox; see the worker's log (or a send-policy rule holding them)"
            )
        await self._settle()

    async def measure(self, target: Target, rate: float, duration: float, phase: str) -> Load:
        """One run; repeated (up to ``--noisy-retries`` times) when other load disturbed it.

        Every attempt is printed; the last one counts.
        """
        for attempt in range(self.options.noisy_retries + 1):
            load, noisy = await self._measure_once(target, rate, duration, phase)
            if not noisy or attempt == self.options.noisy_retries:
                break
            if self.elapsed() > self.options.budget:
                break
            progress("measuring again")
        return load

    async def _measure_once(
        self, target: Target, rate: float, duration: float, phase: str
    ) -> tuple[Load, bool]:
        load = self._plan(target, rate, duration)
        progress(f"{target.name}: {rate:g}/s for {len(load.slots) / rate:.0f}s ({phase})")
        meter = CpuMeter.start(self.pids, time.time())
        await load.run()
        ended = await load.drain(self.sandbox)
        result = self._result(load, phase, meter.percent(ended), meter.machine())
        self.emit(result)
        if result["noisy"]:
            progress(f"other load took {result['others_cpu_percent']}% of a core: noisy figure")
        name = target.name
        self.peak_achieved[name] = max(self.peak_achieved.get(name, 0.0), achieved_rate(load))
        await self._settle()
        return load, result["noisy"]

    def _plan(
        self, target: Target, rate: float, duration: float, spacing: float | None = None
    ) -> Load:
        self.runs += 1
        spacing = self.options.spacing if spacing is None else spacing
        tag = f"{target.name[0]}{self.runs}"
        return Load.plan(target, rate, duration, spacing, tag, self.phones)

    async def _settle(self) -> None:
        """Let the last run's tail (reports, backlog) finish before the next one starts."""
        await asyncio.sleep(self.settings.sandbox_callback_delay_seconds + SETTLE_SECONDS)
        await self._wait_until_quiet()
        await reset_sandbox(self.sandbox)

    async def _wait_until_quiet(self) -> None:
        busy = {k: v for k, v in self.pids.items() if k not in ("sandbox", "bench")}
        deadline = time.monotonic() + QUIET_MAX_SECONDS
        while time.monotonic() < deadline:
            meter = CpuMeter.start(busy, time.time())
            await asyncio.sleep(1.0)
            if sum(meter.percent(time.time()).values()) < QUIET_PERCENT:
                return
        progress(f"still busy after {QUIET_MAX_SECONDS:.0f}s; going on")

    def _result(
        self, load: Load, phase: str, cpu: dict[str, float], machine: dict[str, float]
    ) -> dict[str, Any]:
        latency = percentiles(load.latencies_ms())
        lag = percentiles([x * 1000 for x in load.lag])
        return {
            "system": load.target.name,
            "phase": phase,
            "offered_rate": load.rate,
            "duration_s": round(len(load.slots) / load.rate, 1),
            "achieved_rate": round(achieved_rate(load), 2),
            "p50_ms": latency["p50"],
            "p95_ms": latency["p95"],
            "p99_ms": latency["p99"],
            "max_ms": latency["max"],
            "sent": len(load.slots) - load.errors,
            "received": load.received(),
            "signal_errors": load.errors,
            "sender_lag_p99_ms": lag["p99"],
            "sustained": sustained(load),
            "worker_peak_rss_mb": peak_rss_mb(load.target.worker_pid),
            "cpu_percent": cpu,  # of one core, per process
            "machine_cpu_percent": machine,  # of all cores
            # Other tenants' and processes' CPU, in cores' percent: high means a noisy figure.
            "others_cpu_percent": others_percent(cpu, machine),
            "noisy": others_percent(cpu, machine) > NOISY_PERCENT,
        }


def others_percent(cpu: dict[str, float], machine: dict[str, float]) -> float:
    """CPU used outside the benchmark's processes, as a percentage of one core."""
    cores = os.cpu_count() or 1
    return round(max(machine["busy"] * cores - sum(cpu.values()), 0.0), 1)


def achieved_rate(load: Load) -> float:
    """SMS accepted per second between the first and the last accept (0 with fewer than 2).

    A system that keeps up accepts at the offered rate whatever its latency; one that
    falls behind stretches the span, and lost messages shrink the count.
    """
    times = sorted(t for ts in load.accepted.values() for t in ts)
    if len(times) < 2:
        return 0.0
    span = times[-1] - times[0]
    return (len(times) - 1) / span if span > 0 else 0.0


def sustained(load: Load) -> bool:
    p99 = percentiles(load.latencies_ms())["p99"]
    return (
        load.errors == 0
        and achieved_rate(load) >= MIN_ACHIEVED * load.rate
        and p99 is not None
        and p99 <= MAX_P99_MS
    )
