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

import argparse
import asyncio
import base64
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO, Any

import httpx

from activities.policy import workflow_policy
from bench import baseline
from bench.breakdown import breakdown
from bench.load import Load, Phones, Target, baseline_target, herald_target
from bench.measure import CpuMeter, peak_rss_mb, percentiles, reset_sandbox
from config.settings import Settings
from devstack.processes import ManagedProcess, free_port, python
from devstack.stack import Stack
from starter.client import connect

SENDER_RATE = 10_000.0  # messages/s: far above any rate here, so the throttle never waits
MIN_ACHIEVED = 0.95  # of the offered rate, to count as sustained
MAX_P99_MS = 1000.0
SETTLE_SECONDS = 1.5  # after the callback delay: trailing delivery reports land
QUIET_PERCENT = 25.0  # of one core, server, workers and HTTP service together: idle enough
QUIET_MAX_SECONDS = 60.0
NOISY_PERCENT = 20.0  # CPU used by other processes during a run, of one core
SYSTEMS = ("baseline", "herald")
# Send-policy rules that hold or merge SMS by design (quiet hours, coalescing "out for
# delivery" into "delivered", a long code's 2,000 SMS a day): opened up so that every
# milestone is sent at any hour of the day, however many a run sends. The policy's checks
# still run and are measured; only their waiting is off.
NEUTRAL_POLICY = {
    "HERALD_SENDING_WINDOW": '{"start": "00:00", "end": "23:59:59.999999"}',
    "HERALD_COALESCING__OUT_FOR_DELIVERY__HOLD_SECONDS": "0",
    # The sandbox's sender is a long code; both fields, since an entry replaces the default.
    "HERALD_SENDER_LIMITS__LONG_CODE__MESSAGES_PER_SECOND": str(SENDER_RATE),
    "HERALD_SENDER_LIMITS__LONG_CODE__DAILY_CAP": str(10**9),
}
STEP_OVERHEAD_SECONDS = 8.0  # drain, settle and reset, for the time budget


@dataclass
class Options:
    rate: float
    duration: float
    sweep: bool
    step: float
    step_duration: float
    spacing: float
    max_rate: float
    budget: float
    sample: int
    callback_delay: float
    noisy_retries: int
    systems: list[str]
    out: Path | None
    keep_data: bool
    workflow_sandbox: bool
    policy_in_start: bool


def parse_args(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.milestones", description=__doc__)
    parser.add_argument("--rate", type=float, default=20.0, help="milestones/s, fixed-rate run")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds, fixed-rate run")
    parser.add_argument("--sweep", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--step", type=float, default=10.0, help="sweep increment, milestones/s")
    parser.add_argument("--step-duration", type=float, default=15.0, help="seconds per step")
    parser.add_argument(
        "--spacing", type=float, default=4.0, help="seconds between one order's milestones"
    )
    parser.add_argument("--max-rate", type=float, default=200.0, help="sweep ceiling")
    parser.add_argument("--budget", type=float, default=480.0, help="seconds; sweep stops")
    parser.add_argument("--sample", type=int, default=40, help="orders read for the breakdown")
    parser.add_argument("--callback-delay", type=float, default=0.2, help="sandbox, seconds")
    parser.add_argument(
        "--noisy-retries", type=int, default=1, help="runs again when other load disturbed it"
    )
    parser.add_argument(
        "--systems",
        type=lambda text: text.split(","),
        default=list(SYSTEMS),
        help="comma-separated, e.g. herald to iterate on Herald alone (no ratios then)",
    )
    parser.add_argument("--out", type=Path, help="also append the JSON lines to this file")
    parser.add_argument("--keep-data", action="store_true", help="keep the data and logs")
    parser.add_argument(
        "--workflow-sandbox",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="run both systems' workflows in Temporal's sandbox (off: as production workers)",
    )
    parser.add_argument(
        "--policy-in-start",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="Herald's starter sends the workflow's tunables (off: each run loads them)",
    )
    parser.add_argument("--quick", action="store_true", help="smoke check, about two minutes")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration = args.step_duration = 8.0
        args.spacing = 2.0
        args.max_rate = args.rate + args.step
        args.sample = 10
    if unknown := set(args.systems) - set(SYSTEMS):
        parser.error(f"unknown systems: {', '.join(sorted(unknown))}")
    options = {k: v for k, v in vars(args).items() if k != "quick"}
    return Options(**options)


def bench_settings(root: Path, callback_delay: float, workflow_sandbox: bool) -> Settings:
    return Settings(
        workflow_sandbox=workflow_sandbox,  # both systems' workers read it
        temporal_address=f"127.0.0.1:{free_port()}",
        temporal_ui_port=free_port(),
        data_dir=root / "data",
        database_url="",  # SQLite under data_dir, the default store
        http_port=free_port(),
        public_base_url="",
        sandbox_port=free_port(),
        sandbox_smtp_port=free_port(),
        sandbox_callback_delay_seconds=callback_delay,
        sms_sender_messages_per_second=SENDER_RATE,
        twilio_account_sid="",
        twilio_api_base_url="",
        # An explicit throwaway key: no development key file for the processes to race on.
        payload_keys=f"bench:{base64.b64encode(os.urandom(32)).decode()}",
    )


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


def progress(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


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


def sustained(load: Load) -> bool:
    p99 = percentiles(load.latencies_ms())["p99"]
    return (
        load.errors == 0
        and achieved_rate(load) >= MIN_ACHIEVED * load.rate
        and p99 is not None
        and p99 <= MAX_P99_MS
    )


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


def summary(
    bench: Bench, fixed: dict[str, Load], passed: dict[str, float], open_ended: dict[str, bool]
) -> dict[str, Any]:
    opts = bench.options
    p99 = {name: percentiles(load.latencies_ms())["p99"] for name, load in fixed.items()}
    p99_ratio = _ratio(p99.get("herald"), p99.get("baseline"))
    rate_ratio = _ratio(passed.get("herald"), passed.get("baseline")) if opts.sweep else None
    rate = f"{opts.rate:g}"
    return {
        "summary": "herald / baseline, same dev server, same run",
        f"p99_ms_at_{rate}": p99,
        f"p99_ratio_at_{rate}": p99_ratio,
        "max_sustained_rate": passed if opts.sweep else None,
        "max_rate_is_lower_bound": open_ended,
        "max_rate_ratio": rate_ratio,
        # Throughput whatever the latency: the most SMS/s each system got through in any run.
        "peak_achieved_rate": {k: round(v, 2) for k, v in bench.peak_achieved.items()},
        "peak_achieved_ratio": _ratio(
            bench.peak_achieved.get("herald"), bench.peak_achieved.get("baseline")
        ),
        "worker_peak_rss_mb": {
            "herald": peak_rss_mb(bench.pids["herald_worker"]),
            "baseline": peak_rss_mb(bench.pids["baseline_worker"]),
        },
        "targets_met": {
            f"p99_within_2x_at_{rate}": p99_ratio is not None and p99_ratio <= 2.0,
            "max_rate_at_least_60pct": None if rate_ratio is None else rate_ratio >= 0.6,
        },
        "sustained_means": f"achieved >= {MIN_ACHIEVED:.0%} of offered, p99 <= {MAX_P99_MS:g} ms",
        "sms_sender_messages_per_second": SENDER_RATE,
        "workflow_sandbox": opts.workflow_sandbox,
        "policy_in_start": opts.policy_in_start,
        "note": "sender limits, quiet hours and coalescing lifted: Herald's own costs only",
        "elapsed_s": round(bench.elapsed(), 1),
    }


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def _stop_on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # unwinds through the finally that stops the stack


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
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
