"""The milestone benchmark's rate sweep: the highest rate each system sustains.

``probe_down`` looks below a fixed rate that failed; ``sweep`` climbs from the highest
rate that held until each system falls behind, the ceiling or the time budget.
"""

from __future__ import annotations

from typing import Any

from bench.load import Target
from bench.milestone_runs import Bench, sustained
from bench.stack_setup import progress

STEP_OVERHEAD_SECONDS = 8.0  # drain, settle and reset, for the time budget


async def sweep(bench: Bench, targets: list[Target], passed: dict[str, float]) -> dict[str, Any]:
    """Raise the rate by ``step`` for every system still keeping up; halve the last gap.

    Systems take turns at each rate so both see the server in the same state. Updates
    ``passed`` (the highest sustained rate per system) and returns, per system, whether it
    was still keeping up when the ceiling or the time budget ended the sweep.
    """
    opts = bench.options
    active = [t for t in targets if passed[t.name] >= opts.rate]
    rate = opts.rate + opts.step
    while active and rate <= opts.max_rate:
        if (
            bench.elapsed() + len(active) * (opts.step_duration + STEP_OVERHEAD_SECONDS)
            > opts.budget
        ):
            progress("time budget reached: highest rates are lower bounds")
            break
        for target in list(active):
            if await _passes(bench, target, rate):
                passed[target.name] = rate
                continue
            active.remove(target)
            half = rate - opts.step / 2
            if bench.elapsed() < opts.budget and await _passes(bench, target, half):
                passed[target.name] = half
        rate += opts.step
    return {t.name: t in active for t in targets}  # True: still passing when the sweep ended


async def probe_down(bench: Bench, target: Target) -> float:
    """The fixed rate failed: find a lower one that holds (0 if none does)."""
    for fraction in (0.75, 0.5, 0.25):
        rate = round(bench.options.rate * fraction)
        if bench.elapsed() > bench.options.budget:
            progress("time budget reached: probing stops")
            break
        if rate >= 1 and await _passes(bench, target, rate):
            return rate
    return 0.0


async def _passes(bench: Bench, target: Target, rate: float) -> bool:
    load = await bench.measure(target, rate, bench.options.step_duration, "sweep")
    return sustained(load)
