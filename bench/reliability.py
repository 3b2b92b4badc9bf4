"""Reliability under trouble: ``python -m bench.reliability [--orders N] [--phases ...]``.

Starts the embedded stack (Temporal dev server, sandbox, HTTP service, two workers) on
free ports with a throwaway data folder, then runs one phase after another, each with its
own orders (a fresh phone and e-mail address per order, two milestones each):

- ``baseline``: nothing goes wrong;
- ``kill``: a worker is killed with SIGKILL at random moments and started again;
- ``temporal-restart``: the Temporal dev server is stopped and started mid-run;
- ``outage``: the provider answers 503 to every send for a while;
- ``slow``: the provider takes ``--latency`` seconds to answer each send;
- ``replayed``: every status callback comes shuffled and three times over;
- ``lost``: no status callback ever comes (the workflow reconciles with the provider).

Each phase prints one JSON line: milestones signalled, ``lost`` (a milestone that reached
the customer by no channel), ``duplicate_sms`` (messages at the provider beyond the one
per SMS Herald recorded), ``duplicate_emails`` (e-mails beyond the one per e-mail row) and
what reached the customer by SMS (delivered, per its final report) and by e-mail, and the
workflows' history length (a replayed callback must not grow it). ``--latencies 1,5,20,60``
instead measures the slow-provider window: duplicate SMS per provider latency. Targets:
0 lost, 0 duplicate SMS, duplicate e-mails only in the documented SMTP window.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select
from temporalio.client import Client

from devstack.processes import free_port
from devstack.stack import Stack
from starter.client import connect, signal_milestone
from store.repository import Store
from store.tables import MessageRow, OutboxState
from tests.helpers.events import order_event
from tests.helpers.temporal import settings_for_tests

MILESTONES = ("confirmed", "shipped")
# Nothing new settled for this long: what is missing is lost. Longer than the acceptance
# window, during which a retry after an unanswered call looks instead of sending.
STALL_MARGIN_SECONDS = 40.0
MAX_DRAIN_SECONDS = 400.0
POLICY_ENV = {  # every milestone sent at any hour (bench/stack_setup.py says why)
    "HERALD_SENDING_WINDOW": '{"start": "00:00", "end": "23:59:59.999999"}',
    "HERALD_COALESCING__OUT_FOR_DELIVERY__HOLD_SECONDS": "0",
    "HERALD_SENDER_LIMITS__LONG_CODE__MESSAGES_PER_SECOND": "1000",
    "HERALD_SENDER_LIMITS__LONG_CODE__DAILY_CAP": str(10**9),
}


@dataclass(frozen=True)
class Order:
    reference: str
    phone: str
    email: str


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


class Run:
    def __init__(self, stack: Stack, client: Client, store: Store, sandbox: httpx.AsyncClient):
        self.stack, self.client, self.store, self.sandbox = stack, client, store, sandbox
        self.stall_seconds = stack.settings.sms_accept_window_seconds + STALL_MARGIN_SECONDS
        self._numbers = random.Random(7)
        self._used: set[str] = set()  # a phone of an earlier phase would count its SMS here

    def new_orders(self, count: int) -> list[Order]:
        orders: list[Order] = []
        while len(orders) < count:
            line = self._numbers.randrange(10_000)
            area = self._numbers.choice(("415", "212", "646", "312", "617"))
            phone = f"+1{area}555{line:04d}"
            if phone in self._used:
                continue
            self._used.add(phone)
            tag = uuid.uuid4().hex[:10]
            orders.append(Order(f"R{tag}", phone, f"{tag}@example.com"))
        return orders

    async def signal_all(self, orders: list[Order], spacing: float) -> None:
        for step, milestone in enumerate(MILESTONES):
            for order in orders:
                event = order_event(
                    milestone, order.reference, step=step, phone=order.phone, email=order.email
                )
                await self._signal(event)
                await asyncio.sleep(spacing)

    async def _signal(self, event: Any) -> None:
        for _ in range(120):  # Temporal may be restarting: keep the milestone, retry
            try:
                await signal_milestone(self.client, event)
                return
            except Exception:
                await asyncio.sleep(1.0)
        raise RuntimeError(f"could not signal {event.reference}")

    def settled(self, orders: list[Order]) -> int:
        """Milestones settled: an SMS with a final "delivered" status, or an e-mail sent.

        An SMS only accepted is not settled yet: its report may still send it to e-mail.
        """
        ids = [f"order-{o.reference}" for o in orders]
        with self.store.engine.connect() as connection:
            rows = connection.execute(
                select(MessageRow.workflow_id, MessageRow.milestone).where(
                    MessageRow.workflow_id.in_(ids),
                    MessageRow.outbox_state == OutboxState.SENT,
                    (MessageRow.channel == "email") | (MessageRow.final_status == "delivered"),
                )
            )
            return len({(w, m) for w, m in rows})

    async def drain(self, orders: list[Order]) -> None:
        expected, last, last_change = len(orders) * len(MILESTONES), -1, time.monotonic()
        started = time.monotonic()
        while time.monotonic() - started < MAX_DRAIN_SECONDS:
            done = await asyncio.to_thread(self.settled, orders)
            if done != last:
                last, last_change = done, time.monotonic()
            if done >= expected and time.monotonic() - last_change > 5:
                return  # all in, and a few seconds for late duplicates to show
            if time.monotonic() - last_change > self.stall_seconds:
                return
            await asyncio.sleep(1.0)

    async def count(self, phase: str, orders: list[Order], seconds: float) -> dict[str, Any]:
        lost = duplicate_sms = duplicate_emails = by_sms = by_email = events = 0
        for order in orders:
            handle = self.client.get_workflow_handle(f"order-{order.reference}")
            events += len([e async for e in handle.fetch_history_events()])
            with self.store.engine.connect() as connection:
                rows = connection.execute(
                    select(
                        MessageRow.milestone,
                        MessageRow.channel,
                        MessageRow.provider_message_id,
                        MessageRow.final_status,
                    ).where(
                        MessageRow.workflow_id == f"order-{order.reference}",
                        MessageRow.outbox_state == OutboxState.SENT,
                    )
                ).all()
            sms_ids = {r.provider_message_id for r in rows if r.channel == "sms"}
            delivered = {
                r.milestone for r in rows if r.channel == "sms" and r.final_status == "delivered"
            }
            email_rows = [r for r in rows if r.channel == "email"]
            at_provider = (
                await self.sandbox.get("/sandbox/messages", params={"to": order.phone})
            ).json()["messages"]
            emails = (await self.sandbox.get("/sandbox/emails", params={"to": order.email})).json()
            duplicate_sms += len([m for m in at_provider if m["sid"] not in sms_ids])
            duplicate_emails += max(0, len(emails["emails"]) - len(email_rows))
            reached = {r.milestone for r in rows}
            lost += len([m for m in MILESTONES if m not in reached])
            by_sms += len(delivered - {r.milestone for r in email_rows})
            by_email += len({r.milestone for r in email_rows})
        figures = {
            "phase": phase,
            "milestones": len(orders) * len(MILESTONES),
            "lost": lost,
            "duplicate_sms": duplicate_sms,
            "duplicate_emails": duplicate_emails,
            "reached_by_sms": by_sms,
            "reached_by_email": by_email,
            "history_events_per_order": round(events / max(len(orders), 1), 1),
            "seconds": round(seconds, 1),
        }
        print(json.dumps(figures), flush=True)
        return figures

    async def phase(
        self,
        name: str,
        count: int,
        trouble: Callable[[list[Order]], Awaitable[None]] | None = None,
        rule: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        log(f"phase {name}: {count} orders")
        orders = self.new_orders(count)
        if rule is not None:
            rules = [{**rule, "to": o.phone} for o in orders]
            (await self.sandbox.put("/sandbox/rules", json=rules)).raise_for_status()
        started = time.monotonic()
        signals = asyncio.create_task(self.signal_all(orders, spacing=0.05))
        if trouble is not None:
            await trouble(orders)
        await signals
        await self.drain(orders)
        figures = await self.count(name, orders, time.monotonic() - started)
        await self.sandbox.put("/sandbox/rules", json=[])
        return figures

    # ---- kinds of trouble -------------------------------------------------------------------

    async def kill_workers(self, _orders: list[Order], kills: int = 4) -> None:
        for _ in range(kills):
            await asyncio.sleep(random.uniform(0.5, 2.0))
            if self.stack.workers:
                self.stack.workers.pop(random.randrange(len(self.stack.workers))).kill()
                log("  killed a worker (SIGKILL)")
            await asyncio.sleep(random.uniform(0.2, 1.5))
            self.stack.start_worker()

    async def restart_temporal(self, _orders: list[Order]) -> None:
        await asyncio.sleep(2.0)
        assert self.stack.temporal is not None
        self.stack.temporal.stop()
        log("  Temporal stopped")
        await asyncio.sleep(3.0)
        self.stack.start_temporal()
        log("  Temporal started again")

    async def outage(self, orders: list[Order], seconds: float = 8.0) -> None:
        rules = [{"to": o.phone, "api_error_status": 503, "api_error_code": 20503} for o in orders]
        await self.sandbox.put("/sandbox/rules", json=rules)
        await asyncio.sleep(seconds)
        await self.sandbox.put("/sandbox/rules", json=[])
        log("  outage over")


async def main(args: argparse.Namespace) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="herald-reliability-"))
    settings = settings_for_tests(
        temporal_address=f"127.0.0.1:{free_port()}",
        temporal_ui_port=free_port(),
        data_dir=data_dir,
        http_port=free_port(),
        sandbox_port=free_port(),
        sandbox_smtp_port=free_port(),
        sandbox_callback_delay_seconds=0.5,
        delivery_report_timeout_seconds=20.0,
        sms_accept_window_seconds=args.accept_window,
    )
    stack = Stack(settings, log_dir=data_dir / "logs", extra_env=POLICY_ENV)
    stack.start(workers=2)
    log(f"stack up; logs in {data_dir / 'logs'}")
    store = Store.connect(settings.effective_database_url)
    try:
        client = await connect(settings)
        async with httpx.AsyncClient(base_url=settings.sandbox_base_url, timeout=30) as sandbox:
            run = Run(stack, client, store, sandbox)
            if args.latencies:
                for latency in [float(x) for x in args.latencies.split(",")]:
                    slow = {"latency_ms": int(latency * 1000)}
                    figures = await run.phase(f"latency-{latency:g}s", args.orders, rule=slow)
                    log(f"  {latency:g}s: {figures['duplicate_sms']} duplicate SMS")
                return
            phases: dict[str, Callable[[], Awaitable[dict[str, Any]]]] = {
                "baseline": lambda: run.phase("baseline", args.orders),
                "kill": lambda: run.phase("kill", args.orders, run.kill_workers),
                "temporal-restart": lambda: run.phase(
                    "temporal-restart", args.orders, run.restart_temporal
                ),
                "outage": lambda: run.phase("outage", args.orders, run.outage),
                "slow": lambda: run.phase(
                    "slow", args.orders, rule={"latency_ms": int(args.latency * 1000)}
                ),
                "replayed": lambda: run.phase(
                    "replayed",
                    args.orders,
                    rule={"shuffle_callbacks": True, "repeat_callbacks": 3},
                ),
                "lost": lambda: run.phase("lost", args.orders, rule={"send_callbacks": False}),
            }
            for name in args.phases.split(","):
                await phases[name]()
    finally:
        store.close()
        stack.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=20, help="orders per phase")
    parser.add_argument(
        "--phases",
        default="baseline,kill,temporal-restart,outage,slow,replayed,lost",
        help="comma separated, in order",
    )
    parser.add_argument("--latency", type=float, default=20.0, help="slow phase, seconds")
    parser.add_argument("--latencies", default="", help="e.g. 1,5,20,60: the slow window")
    parser.add_argument("--accept-window", type=float, default=90.0)
    asyncio.run(main(parser.parse_args()))
