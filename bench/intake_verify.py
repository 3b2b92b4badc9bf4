"""What the intake benchmark checks once the load is offered: the drain, and what reached whom.

- **Drain**: from the last acknowledgement until the inbox is empty (the dispatcher has
  signalled everything) and every SMS the run owes has its final delivery report.
- **Lost**: an acknowledged event whose milestone is not in its order's workflow (the
  ``history`` query, asked of every order of the run).
- **Duplicates**: a milestone recorded twice in a workflow, or more SMS at the sandbox for a
  phone than its order's distinct milestones (each order has a phone of its own).
- **Carrier status change to SMS**: a carrier update's post time to the sandbox's
  acceptance of the SMS it caused (found by the provider id the workflow recorded).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import func, select
from temporalio.client import Client
from temporalio.service import RPCError

from bench.intake_load import Answer
from bench.intake_sources import Order
from domain.milestones import Kind
from domain.timeline import MessagingHistory
from starter.client import messaging_history
from store.repository import Store
from store.tables import MessageRow

POLL_SECONDS = 1.0
QUERY_CONCURRENCY = 8  # history queries replay workflows on the worker: not all at once


@dataclass
class Drain:
    backlog_at_last_ack: int
    inbox_empty_seconds: float | None = None  # after the last acknowledgement
    all_final_seconds: float | None = None
    stalled_after_seconds: float | None = None  # nothing moved for the stall limit


def final_sms(store: Store) -> int:
    """(workflow, milestone) pairs whose SMS has its final report (the store is the run's)."""
    pairs = (
        select(MessageRow.workflow_id, MessageRow.milestone)
        .where(MessageRow.channel == "sms", MessageRow.final_status.is_not(None))
        .distinct()
        .subquery()
    )
    statement = select(func.count()).select_from(pairs)
    with store.engine.connect() as connection:
        return int(connection.execute(statement).scalar_one())


async def watch_drain(
    store: Store, expected_sms: int, last_ack: float, stall_seconds: float, max_seconds: float
) -> Drain:
    """Polls the inbox and the final reports until both are done, nothing moves for
    ``stall_seconds`` (what is missing then is reported lost), or ``max_seconds``."""
    drain = Drain(backlog_at_last_ack=await asyncio.to_thread(store.intake_inbox.backlog))
    seen: tuple[int, int] | None = None
    moved = time.monotonic()
    while time.monotonic() - last_ack < max_seconds:
        backlog = await asyncio.to_thread(store.intake_inbox.backlog)
        finals = await asyncio.to_thread(final_sms, store)
        now = time.monotonic()
        if backlog == 0 and drain.inbox_empty_seconds is None:
            drain.inbox_empty_seconds = round(now - last_ack, 1)
        if backlog == 0 and finals >= expected_sms:
            drain.all_final_seconds = round(now - last_ack, 1)
            return drain
        if (backlog, finals) != seen:
            seen, moved = (backlog, finals), now
        elif now - moved > stall_seconds:
            drain.stalled_after_seconds = round(now - last_ack, 1)
            return drain
        await asyncio.sleep(POLL_SECONDS)
    drain.stalled_after_seconds = round(time.monotonic() - last_ack, 1)
    return drain


@dataclass
class Delivered:
    lost: int = 0
    duplicate_milestones: int = 0  # recorded twice in one workflow
    duplicate_sms: int = 0  # at the sandbox, beyond one per distinct milestone
    stray_sms: int = 0  # to a phone no order of the run has
    sms_for_unanswered: int = 0  # for a request that timed out but was kept: not duplicates
    unreadable_workflows: int = 0  # the query failed: counted lost as well
    lost_examples: list[str] = field(default_factory=list)
    histories: dict[str, MessagingHistory] = field(default_factory=dict)


async def _history(
    client: Client, order: Order, slots: asyncio.Semaphore
) -> MessagingHistory | None:
    async with slots:
        for _ in range(3):
            try:
                return await messaging_history(client, Kind.ORDER, order.reference)
            except RPCError:
                await asyncio.sleep(1.0)
    return None


async def check_delivered(
    client: Client, sandbox: httpx.AsyncClient, orders: Sequence[Order]
) -> tuple[Delivered, list[dict[str, Any]]]:
    """Every acknowledged milestone in its workflow once, and one SMS for it at the sandbox."""
    result = Delivered()
    slots = asyncio.Semaphore(QUERY_CONCURRENCY)
    owed = [o for o in orders if o.milestones]
    histories = await asyncio.gather(*(_history(client, o, slots) for o in owed))
    for order, history in zip(owed, histories, strict=True):
        expected = set(order.milestones)
        if history is None:
            result.unreadable_workflows += 1
            result.lost += len(expected)
            result.lost_examples.append(f"{order.workflow_id}: no answer to the history query")
            continue
        result.histories[order.workflow_id] = history
        # A retry (attempt 2) or a fallback to e-mail is the same milestone, not a second one.
        recorded = Counter(
            (m.milestone.value, m.channel) for m in history.messages if m.attempt == 1
        )
        missing = expected - {milestone for milestone, _ in recorded}
        result.lost += len(missing)
        if missing and len(result.lost_examples) < 10:
            result.lost_examples.append(f"{order.workflow_id}: {sorted(missing)}")
        result.duplicate_milestones += sum(n - 1 for n in recorded.values() if n > 1)
    messages: list[dict[str, Any]] = (await sandbox.get("/sandbox/messages")).json()["messages"]
    per_phone = Counter(m["to"] for m in messages)
    by_phone = {o.phone: o for o in orders}
    for phone, sent in per_phone.items():
        order = by_phone.get(phone)
        if order is None:
            result.stray_sms += sent
            continue
        owed = len(set(order.milestones))
        result.duplicate_sms += max(0, sent - owed - order.unanswered)
        result.sms_for_unanswered += min(max(0, sent - owed), order.unanswered)
    return result, messages


def carrier_to_sms(
    probes: Sequence[Answer], delivered: Delivered, messages: Sequence[dict[str, Any]]
) -> list[float]:
    """Seconds from each acknowledged carrier update's post to its SMS at the sandbox."""
    accepted_at = {m["sid"]: float(m["accepted_at"]) for m in messages}
    seconds: list[float] = []
    for probe in probes:
        order = probe.offer.order
        if order is None or not probe.accepted:
            continue
        history = delivered.histories.get(order.workflow_id)
        sids = [
            m.provider_message_id
            for m in (history.messages if history else [])
            if m.milestone.value == probe.offer.milestone and m.provider_message_id
        ]
        if sids and sids[0] in accepted_at:
            seconds.append(accepted_at[sids[0]] - probe.posted_at)
    return seconds
