"""Open-loop load: who is signalled, when, and what came out at the sandbox."""

from __future__ import annotations

import asyncio
import math
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy

from activities.policy import WorkflowPolicy
from bench.baseline import TASK_QUEUE as BASELINE_QUEUE
from bench.baseline import BaselineMessage, BaselineWorkflow
from bench.measure import accepted_by_destination
from starter.client import signal_milestone
from tests.helpers.events import ORDER_PATH, order_event

STEPS = len(ORDER_PATH)  # confirmed -> shipped -> out_for_delivery -> delivered
# Valid, unassigned-looking US numbers (555 exchange): one per order, 10,000 per area code.
AREA_CODES = ("415", "212", "646", "312", "213", "617", "206", "303", "512", "702")
DRAIN_STALL_SECONDS = 5.0  # nothing new arrived for this long: what is missing is lost
DRAIN_MAX_SECONDS = 60.0
POLL_SECONDS = 0.5


class Phones:
    """Hands out a fresh destination per order, so the sandbox's ``to`` names the order."""

    def __init__(self) -> None:
        self._next = 0

    def take(self) -> str:
        n, self._next = self._next, self._next + 1
        return f"+1{AREA_CODES[n // 10_000 % len(AREA_CODES)]}555{n % 10_000:04d}"


@dataclass(frozen=True)
class Slot:
    order: int
    step: int  # index in ORDER_PATH


def schedule(rate: float, duration: float, spacing: float) -> list[Slot]:
    """Send order: blocks of orders going through their milestones ``spacing`` s apart.

    A block holds ``rate * spacing`` orders: all their first milestones, then all their
    second ones, and so on. Real orders space milestones hours apart; a few seconds keeps
    one order's milestones from queueing behind each other in its workflow, so the figures
    are per milestone, not per order. The duration is rounded to whole blocks so every
    order gets all four.
    """
    width = max(1, round(rate * spacing))
    blocks = max(1, round(rate * duration / (width * STEPS)))
    return [
        Slot(block * width + order, step)
        for block in range(blocks)
        for step in range(STEPS)
        for order in range(width)
    ]


@dataclass
class Target:
    """One system under test: how to build a milestone's signal, and how to send it."""

    name: str
    client: Client  # with the data converter this system's worker expects
    worker_pid: int
    build: Callable[[str, str, int], Any]  # (reference, phone, step) -> payload
    send: Callable[[Client, Any], Awaitable[object]]
    workflow_id: Callable[[str], str]
    activities: tuple[str, ...]  # those that call the sandbox, for the history breakdown


def herald_target(
    client: Client, worker_pid: int, task_queue: str, policy: WorkflowPolicy | None = None
) -> Target:
    """``policy``: sent in each new order's start input (None: its run loads it)."""

    def build(reference: str, phone: str, step: int) -> Any:
        return order_event(ORDER_PATH[step], reference, step=step, phone=phone)

    async def send(client: Client, event: Any) -> object:
        return await signal_milestone(client, event, task_queue=task_queue, policy=policy)

    sends = ("decide_and_send_sms", "send_sms")  # the first attempt decides too
    return Target("herald", client, worker_pid, build, send, lambda ref: f"order-{ref}", sends)


def baseline_target(client: Client, worker_pid: int) -> Target:
    def build(reference: str, phone: str, step: int) -> tuple[str, BaselineMessage]:
        body = f"Herald Shop: order {reference} is {ORDER_PATH[step].replace('_', ' ')}."
        return f"baseline-{reference}", BaselineMessage(to=phone, body=body)

    async def send(client: Client, payload: tuple[str, BaselineMessage]) -> object:
        workflow_id, message = payload
        return await client.start_workflow(
            BaselineWorkflow.run,
            STEPS,
            id=workflow_id,
            task_queue=BASELINE_QUEUE,
            start_signal="milestone",
            start_signal_args=[message],
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        )

    return Target(
        "baseline",
        client,
        worker_pid,
        build,
        send,
        lambda ref: f"baseline-{ref}",
        ("baseline_send",),
    )


@dataclass
class Load:
    """One run's plan and what happened to it."""

    target: Target
    rate: float
    slots: list[Slot]
    references: list[str]
    phones: list[str]
    payloads: list[Any] = field(default_factory=list)
    sent_at: list[float] = field(default_factory=list)  # epoch, just before each signal call
    lag: list[float] = field(default_factory=list)  # seconds behind the schedule
    failed: set[int] = field(default_factory=set)  # slots whose signal call raised
    accepted: dict[str, list[float]] = field(default_factory=dict)

    @classmethod
    def plan(
        cls, target: Target, rate: float, duration: float, spacing: float, tag: str, phones: Phones
    ) -> Load:
        slots = schedule(rate, duration, spacing)
        orders = max(s.order for s in slots) + 1
        references = [f"{tag}-{n:05d}" for n in range(orders)]
        numbers = [phones.take() for _ in range(orders)]
        load = cls(target, rate, slots, references, numbers)
        # Built (and validated) up front so the send loop only sends.
        load.payloads = [target.build(references[s.order], numbers[s.order], s.step) for s in slots]
        return load

    async def run(self) -> None:
        """Send slot i at start + i/rate without waiting for earlier sends (open loop)."""
        loop = asyncio.get_running_loop()
        self.sent_at = [math.nan] * len(self.slots)
        self.lag = [0.0] * len(self.slots)
        start = loop.time() + 0.1
        tasks = []
        for i in range(len(self.slots)):
            due = start + i / self.rate
            delay = due - loop.time()
            await asyncio.sleep(max(delay, 0))  # sleep(0) still lets started sends run
            tasks.append(asyncio.create_task(self._send(i, due)))
        results = await asyncio.gather(*tasks, return_exceptions=True)
        failures = {i: r for i, r in enumerate(results) if isinstance(r, BaseException)}
        self.failed = set(failures)
        if failures:
            first = next(iter(failures.values()))
            print(f"{self.target.name}: {len(failures)} signals failed: {first!r}", file=sys.stderr)

    @property
    def errors(self) -> int:
        return len(self.failed)

    async def _send(self, i: int, due: float) -> None:
        self.lag[i] = asyncio.get_running_loop().time() - due
        self.sent_at[i] = time.time()
        await self.target.send(self.target.client, self.payloads[i])

    async def drain(self, sandbox: httpx.AsyncClient, stall: float = DRAIN_STALL_SECONDS) -> float:
        """Poll the sandbox until every signal's SMS is there or arrivals stop; returns when."""
        expected = len(self.slots) - self.errors
        wanted = set(self.phones)
        began = last_change = time.monotonic()
        count = -1
        while True:
            accepted = await accepted_by_destination(sandbox)
            self.accepted = {to: times for to, times in accepted.items() if to in wanted}
            received = sum(len(t) for t in self.accepted.values())
            now = time.monotonic()
            if received != count:
                count, last_change = received, now
            if received >= expected or now - last_change > stall:
                return time.time()
            if now - began > DRAIN_MAX_SECONDS:
                return time.time()
            await asyncio.sleep(POLL_SECONDS)

    def latencies_ms(self) -> list[float]:
        """Signal-to-accept per milestone: an order's k-th SMS answers its k-th signal."""
        sent: dict[int, list[tuple[int, float]]] = {}
        for i, (slot, at) in enumerate(zip(self.slots, self.sent_at, strict=True)):
            if i not in self.failed:  # no workflow saw it, so no SMS answers it
                sent.setdefault(slot.order, []).append((slot.step, at))
        out = []
        for order, signals in sent.items():
            accepted = self.accepted.get(self.phones[order], [])
            for (_, at), done in zip(sorted(signals), accepted, strict=False):
                out.append((done - at) * 1000)
        return out

    def received(self) -> int:
        return sum(len(times) for times in self.accepted.values())
