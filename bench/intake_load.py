"""The intake benchmark's load: a mix of sources' requests, offered open loop at a set rate.

One async HTTP client with a bounded number of requests in flight, so the load generator
cannot starve the stack it measures on a small machine: when every slot is taken the next
request waits, and the rate actually offered (reported) falls below the one asked for. A
429 is retried after its ``Retry-After``, as Shopify and EasyPost retry, without holding a
slot while it waits.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.intake_sources import NEXT_STEP, CarrierSource, Offer, Order, OrderSource, Source
from bench.load import Phones

MAX_429_RETRIES = 20


@dataclass
class Answer:
    offer: Offer
    posted_at: float  # epoch seconds the first attempt left (the sandbox's clock is epoch)
    status: int | None = None  # the last attempt's; None: no answer (connection failed)
    body: dict[str, Any] = field(default_factory=dict)
    ack_seconds: float | None = None  # the answering attempt's own time
    answered_at: float | None = None  # monotonic
    refusals_429: int = 0
    error: str | None = None

    @property
    def acknowledged(self) -> bool:
        """The sender was answered for good: 2xx, or a 422 that kept a dead letter."""
        return self.status is not None and (200 <= self.status < 300 or self.status == 422)

    @property
    def accepted(self) -> int:
        return int(self.body.get("accepted", 0)) if self.acknowledged else 0

    @property
    def duplicates(self) -> int:
        return int(self.body.get("duplicates", 0)) if self.acknowledged else 0

    @property
    def dead_letter(self) -> int | None:
        value = self.body.get("dead_letter")
        return int(value) if self.acknowledged and value is not None else None


class Mix:
    """Which request comes next: a malformed one every ``1/malformed_share``-th (from each
    source in turn), redeliveries of acknowledged requests, next steps of acknowledged
    orders, every ``probe_every`` seconds a carrier's status change for an order that
    shipped, and new orders for the rest."""

    def __init__(
        self,
        sources: Sequence[OrderSource],
        carriers: Sequence[CarrierSource],
        *,
        malformed_share: float,
        redelivery_share: float,
        step_share: float,
        probe_every: float,
        seed: int = 18,
    ) -> None:
        self.sources, self.carriers = list(sources), list(carriers)
        senders: dict[str, Source] = {s.name: s for s in [*sources, *carriers]}
        # Each kind of request goes round its own senders, whatever the serial.
        self._bad_senders = itertools.cycle(senders.values())
        self._carrier_turn = itertools.cycle(self.carriers) if self.carriers else None
        self._order_turn = itertools.cycle(self.sources)
        self.malformed_share, self.redelivery_share = malformed_share, redelivery_share
        self.step_share, self.probe_every = step_share, probe_every
        self.random = random.Random(seed)
        self.phones = Phones()
        self.orders: list[Order] = []
        self._references = iter(range(self.random.randint(10**12, 5 * 10**12), 10**14))
        self._steppable: list[Order] = []  # acknowledged, next step not offered yet
        self._probable: list[Order] = []  # shipped, no carrier update offered yet
        self._sent_events: list[Offer] = []  # acknowledged: what a sender may deliver again
        self._serial = 0
        self._malformed_owed = 0.0
        self._next_probe: float | None = None

    def next_offer(self, now: float) -> Offer:
        self._serial += 1
        self._malformed_owed += self.malformed_share
        if self._malformed_owed >= 1.0:
            self._malformed_owed -= 1.0
            return next(self._bad_senders).malformed(self._serial)
        if self._next_probe is None:
            self._next_probe = now + self.probe_every
        if self._carrier_turn and now >= self._next_probe and self._probable:
            self._next_probe += self.probe_every
            return next(self._carrier_turn).out_for_delivery(self._probable.pop(0))
        draw = self.random.random()
        if draw < self.redelivery_share and self._sent_events:
            again = self.random.choice(self._sent_events)
            return Offer(
                again.source, again.path, again.headers, again.body, "redelivery", again.order
            )
        if draw < self.redelivery_share + self.step_share and self._steppable:
            order = self._steppable.pop(self.random.randrange(len(self._steppable)))
            source = next(s for s in self.sources if s.name == order.source)
            return source.next_step(order, NEXT_STEP[order.milestones[-1]])
        source = next(self._order_turn)
        reference = str(next(self._references))
        order = Order(reference, self.phones.take(), f"b{reference}@example.com", source.name)
        self.orders.append(order)
        return source.new_order(order)

    def acknowledged(self, answer: Answer) -> None:
        """What an acknowledged request makes possible next."""
        offer, order = answer.offer, answer.offer.order
        if offer.kind not in ("event", "carrier") or order is None or offer.milestone is None:
            return
        if answer.accepted:
            order.milestones.append(offer.milestone)
            self._sent_events.append(offer)
            if offer.milestone in NEXT_STEP:
                self._steppable.append(order)
            if offer.milestone == "shipped":  # its tracking code is known now
                self._probable.append(order)


class Load:
    def __init__(self, http: httpx.AsyncClient, concurrency: int, max_retry_after: float) -> None:
        self.http = http
        self.slots = asyncio.Semaphore(concurrency)
        self.max_retry_after = max_retry_after
        self.answers: list[Answer] = []
        self.started: list[float] = []  # monotonic start of each offer's first attempt

    async def offer(self, mix: Mix, rate: float, duration: float) -> None:
        """Offers ``rate * duration`` requests at ``t0 + i / rate`` (later when every slot
        is busy), then waits for every answer, retries included."""
        total = max(1, round(rate * duration))
        t0 = time.monotonic()
        tasks: list[asyncio.Task[None]] = []
        for i in range(total):
            await asyncio.sleep(max(0.0, t0 + i / rate - time.monotonic()))
            await self.slots.acquire()
            offer = mix.next_offer(time.monotonic())
            self.started.append(time.monotonic())
            tasks.append(asyncio.create_task(self._send(mix, offer)))
        await asyncio.gather(*tasks)

    async def _send(self, mix: Mix, offer: Offer) -> None:
        answer = Answer(offer, posted_at=time.time())
        self.answers.append(answer)
        held = True  # the slot taken for this offer in ``offer``
        try:
            while True:
                began = time.monotonic()
                try:
                    response = await self.http.post(
                        offer.path, content=offer.body, headers=offer.headers
                    )
                except httpx.HTTPError as error:
                    answer.error = f"{type(error).__name__}: {error}"
                    if offer.order is not None and offer.kind in ("event", "carrier"):
                        offer.order.unanswered += 1
                    return
                answer.status = response.status_code
                if response.status_code != 429 or answer.refusals_429 >= MAX_429_RETRIES:
                    answer.ack_seconds = time.monotonic() - began
                    answer.answered_at = time.monotonic()
                    if "json" in response.headers.get("content-type", ""):
                        answer.body = response.json()
                    mix.acknowledged(answer)
                    return
                answer.refusals_429 += 1
                wait = min(float(response.headers.get("retry-after", "1")), self.max_retry_after)
                self.slots.release()
                held = False
                await asyncio.sleep(wait)
                await self.slots.acquire()
                held = True
        finally:
            if held:
                self.slots.release()

    def offered_rate(self) -> float:
        """First attempts a second, as actually offered."""
        if len(self.started) < 2:
            return float(len(self.started))
        return (len(self.started) - 1) / max(self.started[-1] - self.started[0], 1e-9)
