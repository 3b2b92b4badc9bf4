"""Two worker processes drain a backlog against one sender limit: ``python -m bench.sender_limit``.

Prints one JSON object per line: the most SMS the sandbox accepted in any one-second window
(the limit must hold: never more than the limit), and the sustained rate as a share of the
limit (the sender stays busy: close to 100%). Times are the sandbox's accept times, the
provider's own view, not Herald's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import httpx

from config.settings import Settings
from devstack.processes import free_port
from devstack.stack import Stack
from domain.milestones import Milestone
from starter.client import connect, signal_milestone
from tests.helpers.events import order_event

# Clock-dependent policy rules off: this measures the sender limit alone.
POLICY_ENV = {
    "HERALD_SENDING_WINDOW": '{"start": "00:00", "end": "23:59:59.999999"}',
    "HERALD_COALESCING__OUT_FOR_DELIVERY__HOLD_SECONDS": "0",
}


def most_in_any_window(times: list[float], window: float = 1.0) -> int:
    """The largest number of events inside any half-open window of ``window`` seconds."""
    times, best, start = sorted(times), 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def sustained_rate(times: list[float]) -> float:
    """Messages per second between the 10th and 90th percentile accept (no ramp, no tail)."""
    times = sorted(times)
    low, high = int(len(times) * 0.1), int(len(times) * 0.9)
    span = times[high] - times[low]
    return (high - low) / span if span > 0 else float("nan")


def stack_settings(root: Path, rate: float) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        temporal_address=f"127.0.0.1:{free_port()}",
        temporal_ui_port=free_port(),
        data_dir=root,
        http_port=free_port(),
        worker_http_port=free_port(),
        sandbox_port=free_port(),
        sandbox_smtp_port=free_port(),
        sandbox_callback_delay_seconds=0.2,
        sms_sender_messages_per_second=rate,
    )


async def drive(stack: Stack, orders: int, limit_seconds: float) -> list[float]:
    client = await connect(stack.settings)
    started = time.time()
    for n in range(orders):  # the backlog: every order's first milestone, at once
        event = order_event(Milestone.CONFIRMED.value, f"L{n}", phone=f"+1415555{n:04d}")
        await signal_milestone(client, event)
    async with httpx.AsyncClient(base_url=stack.settings.sandbox_base_url) as sandbox:
        while time.time() - started < limit_seconds:
            messages = (await sandbox.get("/sandbox/messages")).json()["messages"]
            if len(messages) >= orders:
                return [m["accepted_at"] for m in messages]
            await asyncio.sleep(0.5)
    raise TimeoutError(f"only {len(messages)} of {orders} SMS arrived in {limit_seconds:.0f}s")


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sender_limit", description=__doc__)
    parser.add_argument("--rate", type=float, default=10.0, help="the sender's messages/s")
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="herald-sender-limit-") as root:
        stack = Stack(stack_settings(Path(root), args.rate), Path(root) / "logs", POLICY_ENV)
        try:
            stack.start(workers=args.workers)
            times = await drive(stack, args.orders, args.orders / args.rate * 3 + 60)
        finally:
            stack.stop()
    rate = sustained_rate(times)
    result = {
        "bench": "sender_limit",
        "workers": args.workers,
        "limit_per_second": args.rate,
        "messages": len(times),
        "most_in_any_second": most_in_any_window(times),
        "sustained_rate": round(rate, 2),
        "sustained_share_of_limit": round(rate / args.rate, 3),
        "limit_held": most_in_any_window(times) <= args.rate,
    }
    print(json.dumps(result), flush=True)
    return 0 if result["limit_held"] else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
