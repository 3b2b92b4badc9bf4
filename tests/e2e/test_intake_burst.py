"""A burst at the intake while the Temporal server restarts: acknowledged means kept.

The stack's dev server keeps its state in a SQLite file (devstack/stack.py,
``--db-filename``), so a restart keeps every workflow: what these tests stop and start is
the server process, as a deploy or a crash would. While it is down the intake still
acknowledges (it only writes the inbox), the dispatcher's signals fail and back off, and
once it is back every event reaches its workflow once. Past ``intake_max_backlog`` waiting
events the intake answers 429 with ``Retry-After`` instead, and takes events again once the
dispatcher has drained the inbox.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import func, select
from temporalio.client import Client

from devstack.stack import Stack
from domain.milestones import Kind, workflow_id_for
from store.intake_tables import IntakeInboxRow
from store.repository import Store
from tests.e2e.test_stack import all_final, history_when, new_phone, sandbox_messages
from tests.helpers.events import order_event
from tests.helpers.temporal import assert_eventually
from tests.intake.test_shopify import PAYLOADS, sign

pytestmark = pytest.mark.timeout(420)

SHOP = "herald-demo.myshopify.com"
SECRET = "e2e-shopify-secret"  # tests/e2e/conftest.py's E2E_SETTINGS
BURST = 100
SPACING_SECONDS = 0.08  # 100 events over about 8 s, posted from both sides of the restart
# Down for longer than the client's own RPC retries (about 10 s): the dispatcher's signals
# must fail, be kept and be tried again, not merely wait out a short blip.
DOWN_SECONDS = 14.0
SMALL_BACKLOG = 10


@dataclass(frozen=True)
class Order:
    reference: str  # digits, as a Shopify order id must be
    phone: str

    @property
    def workflow_id(self) -> str:
        return workflow_id_for(Kind.ORDER, self.reference)


def new_orders(count: int) -> list[Order]:
    start = random.randint(10**12, 9 * 10**12)
    return [Order(str(start + i), new_phone()) for i in range(count)]


def generic_request(order: Order) -> tuple[str, bytes, dict[str, str]]:
    event = order_event(
        "confirmed", order.reference, phone=order.phone, email=f"b{order.reference}@example.com"
    )
    return "/intake/events", event.model_dump_json().encode(), {}


def shopify_request(order: Order) -> tuple[str, bytes, dict[str, str]]:
    payload = json.loads((PAYLOADS / "orders_create_us_local_phone.json").read_text())
    payload.update(
        id=int(order.reference), phone=order.phone, email=f"s{order.reference}@example.com"
    )
    body = json.dumps(payload).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-Webhook-Id": f"burst-{order.reference}",
        "X-Shopify-Hmac-Sha256": sign(body, SECRET),
    }
    return "/intake/shopify", body, headers


def request_for(index: int, order: Order) -> tuple[str, bytes, dict[str, str]]:
    """Generic JSON and signed Shopify webhooks, alternately."""
    return (generic_request if index % 2 == 0 else shopify_request)(order)


def waiting(store: Store, orders: list[Order]) -> int:
    """These orders' inbox rows not dispatched yet."""
    statement = select(func.count()).where(
        IntakeInboxRow.workflow_id.in_([o.workflow_id for o in orders]),
        IntakeInboxRow.dispatched_at.is_(None),
    )
    with store.engine.connect() as connection:
        return int(connection.execute(statement).scalar_one())


def failed_attempts(store: Store, orders: list[Order]) -> int:
    """Signals the dispatcher had to try again for these orders."""
    statement = select(func.coalesce(func.sum(IntakeInboxRow.attempts), 0)).where(
        IntakeInboxRow.workflow_id.in_([o.workflow_id for o in orders])
    )
    with store.engine.connect() as connection:
        return int(connection.execute(statement).scalar_one())


async def wait_for_drain(store: Store, orders: list[Order], timeout: float) -> None:
    async def drained() -> None:
        assert await asyncio.to_thread(waiting, store, orders) == 0

    await assert_eventually(drained, timeout=timeout, interval=0.5)


async def each_got_one_sms(client: Client, sandbox: httpx.AsyncClient, orders: list[Order]) -> None:
    for order in orders:
        history = await history_when(client, Kind.ORDER, order.reference, all_final(1))
        assert [m.milestone.value for m in history.messages] == ["confirmed"]
    await asyncio.sleep(1)  # time for a second SMS, were one on its way
    for order in orders:
        sent = await sandbox_messages(sandbox, order.phone)
        assert len(sent) == 1, (order, sent)


@pytest.fixture
async def temporal_back(
    stack: Stack, client: Client, intake: httpx.AsyncClient
) -> AsyncIterator[None]:
    """The whole path up before the server goes down (one event through it: a worker
    still starting would fail its connection and exit), and whatever a test did, the
    session's other tests find the server running afterwards."""
    [order] = new_orders(1)
    path, body, headers = generic_request(order)
    assert (await intake.post(path, content=body, headers=headers)).status_code == 202
    await history_when(client, Kind.ORDER, order.reference, all_final(1))
    yield
    if stack.temporal is None or not stack.temporal.running:
        stack.start_temporal()


@pytest.fixture
async def intake(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=stack.settings.effective_public_base_url, timeout=30
    ) as http:
        yield http


async def test_a_burst_across_a_temporal_restart_reaches_every_customer_once(
    stack: Stack,
    client: Client,
    store: Store,
    sandbox: httpx.AsyncClient,
    intake: httpx.AsyncClient,
    temporal_back: None,
) -> None:
    orders = new_orders(BURST)
    assert stack.temporal is not None
    down: list[float] = []  # when the server stopped and when it listened again

    async def restart() -> None:
        await asyncio.sleep(BURST * SPACING_SECONDS / 3)
        await asyncio.to_thread(stack.temporal.stop)  # type: ignore[union-attr]
        down.append(time.monotonic())
        await asyncio.sleep(DOWN_SECONDS)
        await asyncio.to_thread(stack.start_temporal)
        down.append(time.monotonic())

    restarting = asyncio.create_task(restart())
    answers: list[tuple[float, httpx.Response]] = []
    for index, order in enumerate(orders):
        path, body, headers = request_for(index, order)
        answers.append((time.monotonic(), await intake.post(path, content=body, headers=headers)))
        if index % 10 == 9:  # the same webhook or event again: a sender's retry
            answers.append(
                (time.monotonic(), await intake.post(path, content=body, headers=headers))
            )
        await asyncio.sleep(SPACING_SECONDS)
    # Keep going while the server is still down: those must be acknowledged as well.
    await restarting
    stopped_at, started_at = down

    assert all(r.status_code in (200, 202) for _, r in answers), [
        (r.status_code, r.text) for _, r in answers if r.status_code not in (200, 202)
    ]
    assert sum(r.json()["accepted"] for _, r in answers) == BURST
    assert sum(r.json()["duplicates"] for _, r in answers) == BURST // 10
    while_down = [r for at, r in answers if stopped_at <= at < started_at]
    assert len(while_down) >= BURST // 3, "too few events posted while the server was down"

    await wait_for_drain(store, orders, timeout=180)
    # The dispatcher did meet the server away and tried again (not just a slow call).
    assert await asyncio.to_thread(failed_attempts, store, orders) > 0
    await each_got_one_sms(client, sandbox, orders)


async def test_past_the_backlog_the_intake_answers_429_and_takes_events_again_after_the_drain(
    stack: Stack,
    client: Client,
    store: Store,
    sandbox: httpx.AsyncClient,
    intake: httpx.AsyncClient,
    temporal_back: None,
) -> None:
    # Whatever earlier tests left in the inbox is dispatched first: the limit counts all.
    async def inbox_empty() -> None:
        assert await asyncio.to_thread(store.intake_inbox.backlog) == 0

    await assert_eventually(inbox_empty, timeout=120, interval=0.5)
    await asyncio.to_thread(stack.restart_http, HERALD_INTAKE_MAX_BACKLOG=str(SMALL_BACKLOG))
    try:
        assert stack.temporal is not None
        await asyncio.to_thread(stack.temporal.stop)
        orders = new_orders(SMALL_BACKLOG + 2)
        kept, refused = orders[:SMALL_BACKLOG], orders[SMALL_BACKLOG:]
        for index, order in enumerate(kept):
            path, body, headers = request_for(index, order)
            answer = await intake.post(path, content=body, headers=headers)
            assert answer.status_code in (200, 202), answer.text  # up to the limit: kept
            assert answer.json()["accepted"] == 1
        assert await asyncio.to_thread(store.intake_inbox.backlog) == SMALL_BACKLOG
        # At the limit, either source is told to come back later, and nothing is kept.
        for index, order in enumerate(refused):
            path, body, headers = request_for(index, order)
            answer = await intake.post(path, content=body, headers=headers)
            assert answer.status_code == 429, answer.text
            assert int(answer.headers["Retry-After"]) > 0
        assert await asyncio.to_thread(store.intake_inbox.backlog) == SMALL_BACKLOG

        await asyncio.to_thread(stack.start_temporal)
        await wait_for_drain(store, kept, timeout=180)
        # The sender's retry after the drain goes through.
        for index, order in enumerate(refused):
            path, body, headers = request_for(index, order)
            answer = await intake.post(path, content=body, headers=headers)
            assert answer.status_code in (200, 202), answer.text
            assert answer.json()["accepted"] == 1
        await each_got_one_sms(client, sandbox, orders)
    finally:
        await asyncio.to_thread(stack.restart_http)
