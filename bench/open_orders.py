"""Memory at scale: open many orders (one milestone each, then idle) and read the RSS.

``python -m bench.open_orders [--orders 10000] [--rate 40] [--cache 1000]``

Starts the embedded stack (Temporal dev server, sandbox, HTTP service, one Herald worker)
with the worker's workflow cache bounded by ``HERALD_WORKFLOW_CACHE_SIZE`` (``--cache``),
opens ``--orders`` orders at ``--rate`` orders/s, each with its first milestone, waits
until every SMS reached the sandbox and the sends' report waits have ended, and prints one
JSON line: the worker's and the server's resident memory now and at their peak, the
running workflows the server counts, and the CPU the run took. Every order then waits for
its next milestone, as real orders do for days. Target: worker RSS <= 250 MB at 10,000.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.load import Phones
from bench.measure import CpuMeter, peak_rss_mb
from bench.milestones import NEUTRAL_POLICY, bench_settings, progress
from devstack.stack import Stack
from starter.client import connect, signal_milestone
from tests.helpers.events import order_event

IN_FLIGHT = 64  # signal calls at once: the client is not the bottleneck, nor a flood
SETTLE_SECONDS = 15.0  # after the last accept: report waits (5 s) end, caches settle


def rss_mb(pid: int) -> float | None:
    """VmRSS, the resident set now, in MiB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


async def sandbox_count(sandbox: httpx.AsyncClient) -> int:
    response = await sandbox.get("/sandbox/messages")
    response.raise_for_status()
    return len(response.json()["messages"])


async def open_orders(stack: Stack, orders: int, rate: float) -> dict[str, Any]:
    settings = stack.settings
    pids = {
        "temporal": stack.temporal.process.pid,  # type: ignore[union-attr]
        "worker": stack.workers[0].process.pid,  # type: ignore[union-attr]
        "http": stack.http.process.pid,  # type: ignore[union-attr]
    }
    idle = {"worker_rss_mb": rss_mb(pids["worker"]), "server_rss_mb": rss_mb(pids["temporal"])}
    client = await connect(settings)
    phones, gate, errors = Phones(), asyncio.Semaphore(IN_FLIGHT), 0
    run = f"{int(time.time())}"

    async def one(n: int) -> None:
        nonlocal errors
        event = order_event("confirmed", f"open-{run}-{n}", phone=phones.take())
        async with gate:
            try:
                await signal_milestone(client, event, task_queue=settings.task_queue)
            except Exception:  # counted: a lost order shows in the figures
                errors += 1

    meter = CpuMeter.start(pids, time.time())
    began = time.monotonic()
    tasks = []
    for n in range(orders):
        await asyncio.sleep(max(0.0, began + n / rate - time.monotonic()))
        tasks.append(asyncio.create_task(one(n)))
        if n and n % 1000 == 0:
            progress(f"{n} orders opened")
    await asyncio.gather(*tasks)
    async with httpx.AsyncClient(base_url=settings.sandbox_base_url, timeout=60) as sandbox:
        received, last_change, seen = 0, time.monotonic(), -1
        while received < orders - errors and time.monotonic() - last_change < 60:
            await asyncio.sleep(2.0)
            received = await sandbox_count(sandbox)
            if received != seen:
                seen, last_change = received, time.monotonic()
    sent_in = time.monotonic() - began
    cpu = meter.percent(time.time())
    await asyncio.sleep(SETTLE_SECONDS)
    running = (await client.count_workflows("ExecutionStatus='Running'")).count
    return {
        "bench": "open_orders",
        "orders": orders,
        "offered_rate": rate,
        "signal_errors": errors,
        "sms_received": received,
        "running_workflows": running,
        "seconds_to_last_sms": round(sent_in, 1),
        "workflow_cache_size": settings.workflow_cache_size,
        "before_any_order": idle,
        "worker_rss_mb": rss_mb(pids["worker"]),
        "worker_peak_rss_mb": peak_rss_mb(pids["worker"]),
        "server_rss_mb": rss_mb(pids["temporal"]),
        "server_peak_rss_mb": peak_rss_mb(pids["temporal"]),
        "http_rss_mb": rss_mb(pids["http"]),
        "cpu_ms_per_order": {k: round(v * 10 * sent_in / orders, 2) for k, v in cpu.items()},
        "target_met": {"worker_rss_at_most_250_mb": (rss_mb(pids["worker"]) or 1e9) <= 250},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.open_orders", description=__doc__)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=40.0, help="orders opened per second")
    parser.add_argument("--cache", type=int, default=1000, help="HERALD_WORKFLOW_CACHE_SIZE")
    parser.add_argument("--keep-data", action="store_true")
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="herald-open-orders-"))
    settings = bench_settings(root, callback_delay=0.2, workflow_sandbox=False).model_copy(
        update={"workflow_cache_size": args.cache}
    )
    extra = {**NEUTRAL_POLICY, "HERALD_WORKFLOW_CACHE_SIZE": str(args.cache)}
    stack = Stack(settings, log_dir=root / "logs", extra_env=extra)
    try:
        progress(f"starting the stack in {root}")
        stack.start()
        result = asyncio.run(open_orders(stack, args.orders, args.rate))
        print(json.dumps(result), flush=True)
    except KeyboardInterrupt:
        return 130
    finally:
        progress("stopping the stack")
        stack.stop()
        if args.keep_data:
            progress(f"data and logs kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
