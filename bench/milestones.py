"""``make bench``: Herald's throughput and latency against a bare baseline on the same stack.

Starts the embedded stack (Temporal dev server, sandbox, HTTP service, Herald's worker) plus
the baseline's worker on free ports with a throwaway data folder, then, for both systems:
a fixed-rate run (``--rate`` milestones/s for ``--duration`` s, open loop), a breakdown of
where a milestone's time goes, and a rate sweep to find the highest sustained rate. Prints
one JSON object per line on stdout (progress goes to stderr) and ends with the ratios.

The sender's rate limit is lifted (``sms_sender_messages_per_second``): this measures
Herald, not the carrier's one-message-a-second long-code limit.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path
from typing import IO

import httpx

from activities.policy import workflow_policy
from bench import baseline
from bench.breakdown import breakdown
from bench.load import Target, baseline_target, herald_target
from bench.measure import CpuMeter
from bench.milestone_options import Options, parse_args
from bench.milestone_runs import NOISY_PERCENT, Bench, sustained
from bench.milestone_summary import summary
from bench.milestone_sweep import probe_down, sweep
from bench.stack_setup import NEUTRAL_POLICY, _stop_on_sigterm, bench_settings, progress
from devstack.processes import ManagedProcess, python
from devstack.stack import Stack
from starter.client import connect


def _pid(process: ManagedProcess | None) -> int:
    assert process is not None and process.process is not None, "not started"
    return process.process.pid


async def run(
    options: Options, stack: Stack, baseline_worker: ManagedProcess, out: list[IO[str]]
) -> None:
    settings = stack.settings
    pids = {
        "temporal": _pid(stack.temporal),
        "herald_worker": _pid(stack.workers[0]),
        "baseline_worker": _pid(baseline_worker),
        "http": _pid(stack.http),
        "sandbox": _pid(stack.sandbox),
        "bench": os.getpid(),
    }
    targets = [
        baseline_target(await baseline.connect(settings), pids["baseline_worker"]),
        # Herald's own client: its data converter, payload encryption included.
        herald_target(
            await connect(settings),
            pids["herald_worker"],
            settings.task_queue,
            workflow_policy(settings) if options.policy_in_start else None,
        ),
    ]
    targets = [t for t in targets if t.name in options.systems]
    async with httpx.AsyncClient(base_url=settings.sandbox_base_url, timeout=30) as sandbox:
        await _benchmark(Bench(options, settings, pids, sandbox, out), targets)


async def _benchmark(bench: Bench, targets: list[Target]) -> None:
    opts = bench.options
    meter = CpuMeter.start({}, time.time())
    await asyncio.sleep(2.0)
    if (idle_busy := meter.machine()["busy"]) > NOISY_PERCENT / (os.cpu_count() or 1):
        progress(f"the machine is {idle_busy}% busy before the benchmark: expect noisy figures")
    for target in targets:
        progress(f"{target.name}: warming up")
        await bench.warm_up(target)
    fixed = {t.name: await bench.measure(t, opts.rate, opts.duration, "fixed") for t in targets}
    for target in targets:
        figures = await breakdown(fixed[target.name], opts.sample)
        bench.emit({"system": target.name, "phase": "fixed", "breakdown": figures})
    passed = {t.name: opts.rate if sustained(fixed[t.name]) else 0.0 for t in targets}
    open_ended = {t.name: False for t in targets}
    if opts.sweep:
        for target in targets:
            if not passed[target.name]:
                passed[target.name] = await probe_down(bench, target)
        open_ended = await sweep(bench, targets, passed)
    bench.emit(summary(bench, fixed, passed, open_ended))


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv, __doc__)
    # The starter reads the settings the worker reads, as it does in production: the
    # tunables it sends in a start input are the worker's own.
    os.environ.update(NEUTRAL_POLICY)
    root = Path(tempfile.mkdtemp(prefix="herald-bench-"))
    settings = bench_settings(root, options.callback_delay, options.workflow_sandbox)
    stack = Stack(settings, log_dir=root / "logs", extra_env=NEUTRAL_POLICY)
    baseline_worker: ManagedProcess | None = None
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    clean = False
    try:
        progress(f"starting the stack in {root}")
        stack.start()
        baseline_worker = ManagedProcess(
            "baseline-worker",
            python("-m", "bench.baseline_worker"),
            stack.env,
            stack.log_dir / "baseline-worker.log",
        ).start()
        with open(options.out, "a") if options.out else nullcontext() as extra:
            out = [sys.stdout, *([extra] if extra else [])]
            asyncio.run(run(options, stack, baseline_worker, out))
        clean = True
    except KeyboardInterrupt:
        progress("interrupted")
        return 130
    finally:
        progress("stopping the stack")
        if baseline_worker is not None:
            baseline_worker.stop()
        stack.stop()
        if clean and not options.keep_data:
            shutil.rmtree(root, ignore_errors=True)
        else:
            progress(f"data and logs kept in {root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
