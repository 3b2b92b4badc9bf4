"""What the benchmark reads: percentiles, process CPU and memory, and the sandbox's messages."""

from __future__ import annotations

import os
import statistics
from dataclasses import dataclass
from pathlib import Path

import httpx

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def percentiles(values: list[float]) -> dict[str, float | None]:
    """p50/p95/p99/max, rounded to 0.1; None for an empty list."""
    if not values:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    if len(values) == 1:
        only = round(values[0], 1)
        return {"p50": only, "p95": only, "p99": only, "max": only}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {
        "p50": round(cuts[49], 1),
        "p95": round(cuts[94], 1),
        "p99": round(cuts[98], 1),
        "max": round(max(values), 1),
    }


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process (all its threads) so far; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    # After the command name: state is field 3, utime 14 and stime 15 (1-based, proc(5)).
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM, the kernel's own high-water mark of the resident set, in MiB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def machine_ticks() -> tuple[int, int, int]:
    """Busy, steal and total clock ticks of the whole machine so far (all cores)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    steal = fields[7] if len(fields) > 7 else 0
    total = sum(fields[:8])
    return total - idle - steal, steal, total


@dataclass
class CpuMeter:
    """CPU use per named process over a window, as a percentage of one core."""

    pids: dict[str, int]
    started: dict[str, float]
    wall_start: float
    machine_start: tuple[int, int, int]

    @classmethod
    def start(cls, pids: dict[str, int], now: float) -> CpuMeter:
        started = {name: cpu_seconds(pid) for name, pid in pids.items()}
        return cls(pids, started, now, machine_ticks())

    def percent(self, now: float) -> dict[str, float]:
        wall = max(now - self.wall_start, 1e-6)
        return {
            name: round(100 * (cpu_seconds(pid) - self.started[name]) / wall, 1)
            for name, pid in self.pids.items()
        }

    def machine(self) -> dict[str, float]:
        """The whole machine over the window: busy and stolen (by the hypervisor), % of all
        cores; other tenants' load shows here and not in :meth:`percent`."""
        busy, steal, total = (
            b - a for a, b in zip(self.machine_start, machine_ticks(), strict=True)
        )
        total = max(total, 1)
        return {"busy": round(100 * busy / total, 1), "steal": round(100 * steal / total, 1)}


async def accepted_by_destination(sandbox: httpx.AsyncClient) -> dict[str, list[float]]:
    """The sandbox's accept times (epoch seconds) per destination number, oldest first."""
    response = await sandbox.get("/sandbox/messages")
    response.raise_for_status()
    accepted: dict[str, list[float]] = {}
    for message in response.json()["messages"]:
        accepted.setdefault(message["to"], []).append(float(message["accepted_at"]))
    for times in accepted.values():
        times.sort()
    return accepted


async def reset_sandbox(sandbox: httpx.AsyncClient) -> None:
    (await sandbox.delete("/sandbox/messages")).raise_for_status()
