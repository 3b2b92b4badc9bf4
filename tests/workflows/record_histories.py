"""Record histories for the replay tests: ``python -m tests.workflows.record_histories TAG``.

Run it when a workflow change is released, to add histories of the new code. Existing files
are never overwritten: they stand for workflows already running in production, which every
later version of the code must replay without a non-determinism error.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from conversation.dialogue import CustomerReply
from conversation.intents import IntentKind
from domain.events import DeliveryProblem
from domain.timeline import DeliveryReport, MessagingHistory
from starter.client import signal_milestone
from tests.helpers.events import ORDER_PATH, order_event
from tests.helpers.temporal import assert_eventually, new_worker, start_time_skipping
from tests.workflows.stand_ins import FakeChannels
from workflows.notification import NotificationWorkflow

HISTORIES = Path(__file__).with_name("histories")
Scenario = Callable[[WorkflowEnvironment, str], Awaitable[WorkflowHandle]]


async def until(handle: WorkflowHandle, predicate: Callable[[MessagingHistory], bool]) -> None:
    async def check() -> None:
        latest = handle._client.get_workflow_handle(handle.id)
        assert predicate(await latest.query(NotificationWorkflow.history))

    await assert_eventually(check, timeout=30)


async def deliver_last(handle: WorkflowHandle) -> None:
    latest = handle._client.get_workflow_handle(handle.id)
    history = await latest.query(NotificationWorkflow.history)
    report = DeliveryReport(
        provider_message_id=history.messages[-1].provider_message_id or "",
        status="delivered",
        occurred_at=datetime.now(UTC),
    )
    await latest.signal("delivery_report", report)


async def full_order(env: WorkflowEnvironment, task_queue: str) -> WorkflowHandle:
    """Every order milestone delivered, then completion after the grace period."""
    for step, milestone in enumerate(ORDER_PATH):
        event = order_event(milestone, "replay-full", step=step)
        handle = await signal_milestone(env.client, event, task_queue=task_queue)
        await until(
            handle,
            lambda h, n=step + 1: len(h.messages) == n and h.messages[-1].provider_message_id,
        )
        await deliver_last(handle)
    await handle.result()
    return handle


async def fallback_after_silence(env: WorkflowEnvironment, task_queue: str) -> WorkflowHandle:
    """No delivery report in time: e-mail and push take over."""
    event = order_event("shipped", "replay-fallback", push_token="device-1")
    handle = await signal_milestone(env.client, event, task_queue=task_queue)
    await until(handle, lambda h: h.state.value == "awaiting_report")
    await env.sleep(700)
    await until(handle, lambda h: h.state.value == "fell_back")
    return handle


async def disorder(env: WorkflowEnvironment, task_queue: str) -> WorkflowHandle:
    """Malformed, duplicate and stale signals."""
    first = order_event("shipped", "replay-disorder", step=1)
    handle = await signal_milestone(env.client, first, task_queue=task_queue)
    await signal_milestone(env.client, first, task_queue=task_queue)
    await handle.signal("milestone", {"milestone": "teleported"})
    stale = order_event("confirmed", "replay-disorder", step=0)
    await signal_milestone(env.client, stale, task_queue=task_queue)
    await until(handle, lambda h: len(h.entries) >= 4)
    return handle


async def conversation(env: WorkflowEnvironment, task_queue: str) -> WorkflowHandle:
    """Replies: reschedule to a booked slot, a call-back; then a delay that alerts support."""
    event = order_event("out_for_delivery", "replay-conversation", step=2)
    handle = await signal_milestone(env.client, event, task_queue=task_queue)
    await until(handle, lambda h: bool(h.messages and h.messages[-1].provider_message_id))
    for sid, intent, choice, replies in (
        ("SM-1", IntentKind.RESCHEDULE, None, 1),
        ("SM-2", IntentKind.CHOICE, 1, 2),
        ("SM-3", IntentKind.CALL_ME, None, 3),
    ):
        reply = CustomerReply(
            message_sid=sid,
            phone=event.customer.phone or "",
            text=sid,
            intent=intent,
            choice=choice,
            received_at=datetime.now(UTC),
        )
        await handle.signal("customer_reply", reply)
        await until(handle, lambda h, n=replies: len([m for m in h.messages if m.purpose]) == n)
    delayed = order_event("delayed", "replay-conversation", step=3).model_copy(
        update={"problem": DeliveryProblem.DELAYED}
    )
    await signal_milestone(env.client, delayed, task_queue=task_queue)
    await until(handle, lambda h: any(e.kind.value == "support_alerted" for e in h.entries))
    return handle


SCENARIOS: dict[str, Scenario] = {  # each uses the reference replay-<name>
    "full": full_order,
    "fallback": fallback_after_silence,
    "disorder": disorder,
    "conversation": conversation,
}


def recording_fake(name: str) -> FakeChannels:
    """Sends wait for their final report (as the worker's settings have them do); in the
    full order, the first two reports come with the send and the others by signal."""
    fake = FakeChannels()
    fake.policy = fake.policy.model_copy(update={"delivery_report_wait_seconds": 20.0})
    if name == "full":
        fake.reports_in_send = [("delivered", None)] * 2
    return fake


async def record(tag: str) -> None:
    env = await start_time_skipping()
    async with env:
        for name, scenario in SCENARIOS.items():
            if list(HISTORIES.glob(f"order-replay-{name}.{tag}.json")):
                continue
            fake = recording_fake(name)
            async with new_worker(env.client, fake.activities()) as worker:
                handle = await scenario(env, worker.task_queue)
                history = await handle._client.get_workflow_handle(handle.id).fetch_history()
            # Named by workflow id: replaying needs the id the history was recorded under.
            path = HISTORIES / f"{handle.id}.{tag}.json"
            path.write_text(history.to_json())
            print(f"recorded {path.name}")


if __name__ == "__main__":
    asyncio.run(record(sys.argv[1] if len(sys.argv) > 1 else "v2"))
