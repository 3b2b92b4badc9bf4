"""Record histories for the replay tests: ``python -m tests.workflows.record_histories TAG``.

Run it when a workflow release ships (tag ``1.0``, ``1.1``...), to save histories of
the code that running orders now execute. Existing files are never overwritten: they stand
for workflows running in production, which every later version of the code must replay
without a non-determinism error (workflows/README.md says when a file may be retired).
Each scenario drives one path of the workflow; together they cover every path.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from temporalio.client import WorkflowHandle, WorkflowHistory
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from conversation.dialogue import CustomerReply
from conversation.intents import IntentKind
from domain.events import DeliveryProblem
from domain.timeline import DeliveryReport, MessagingHistory
from policy.frequency import RecentSend
from policy.rules import FrequencyCap, PolicyRules
from providers.errors import ProviderError
from starter.client import signal_milestone
from tests.helpers.events import ORDER_PATH, RETURN_PATH, order_event, return_event
from tests.helpers.policies import permissive_rules
from tests.helpers.temporal import assert_eventually, new_worker, start_time_skipping
from tests.workflows.stand_ins import FakeChannels
from tests.workflows.test_send_policy_clock import (
    TOKYO,
    capped,
    next_wall_clock,
    quiet_hours_rules,
    sleep_until,
)
from workflows.notification import NotificationWorkflow

HISTORIES = Path(__file__).with_name("histories")
Scenario = Callable[[WorkflowEnvironment, FakeChannels], Awaitable[WorkflowHandle]]


async def until(handle: WorkflowHandle, predicate: Callable[[MessagingHistory], bool]) -> None:
    async def check() -> None:
        client = handle._client
        try:
            # The latest run, by its id: a query by workflow id alone can reach the run that
            # just continued as new on the time-skipping server, and time out.
            run_id = (await client.get_workflow_handle(handle.id).describe()).run_id
            latest = client.get_workflow_handle(handle.id, run_id=run_id)
            history = await latest.query(
                NotificationWorkflow.history, rpc_timeout=timedelta(seconds=3)
            )
        except RPCError as exc:  # a query landing as a run hands over: ask again
            raise AssertionError(str(exc)) from exc
        assert predicate(history)

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


async def through(
    env: WorkflowEnvironment, fake: FakeChannels, events: list, *, complete: bool = True
) -> WorkflowHandle:
    """Each milestone in turn, its SMS delivered (in the send or by signal)."""
    async with new_worker(env.client, fake.activities()) as worker:
        for step, event in enumerate(events):
            handle = await signal_milestone(env.client, event, task_queue=worker.task_queue)
            await until(
                handle,
                lambda h, n=step + 1: len(h.messages) == n and h.messages[-1].provider_message_id,
            )
            await until(handle, lambda h: h.state.value in ("awaiting_report", "delivered"))
            await deliver_last(handle)
            await until(handle, lambda h: h.state.value == "delivered")
        if complete:
            await env.sleep(timedelta(hours=2))  # the grace period (an hour in FakeChannels)
            await handle.result()
    return handle


async def full_order(env: WorkflowEnvironment, fake: FakeChannels) -> WorkflowHandle:
    """Every order milestone delivered (two reports in the send, two by signal); completion."""
    fake.reports_in_send = [("delivered", None)] * 2
    events = [order_event(m, "replay-full", step=s) for s, m in enumerate(ORDER_PATH)]
    return await through(env, fake, events)


async def full_return(env: WorkflowEnvironment, fake: FakeChannels) -> WorkflowHandle:
    """Every return milestone delivered, by signalled reports; completion."""
    events = [return_event(m, "replay-return", step=s) for s, m in enumerate(RETURN_PATH)]
    return await through(env, fake, events)


async def tunables_in_start(env: WorkflowEnvironment, fake: FakeChannels) -> WorkflowHandle:
    """The starter sends the tunables in the start input: no local activity loads them."""
    fake.reports_in_send = [("delivered", None)]
    event = order_event("shipped", "replay-tunables")
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, event, task_queue=worker.task_queue, policy=fake.policy
        )
        await until(handle, lambda h: h.state.value == "delivered")
    return handle


async def continue_as_new(env: WorkflowEnvironment, fake: FakeChannels) -> WorkflowHandle:
    """A short history limit: the order continues as new between its milestones."""
    fake.policy.history_event_limit = 40
    milestones = ["confirmed", "shipped", "delayed", "out_for_delivery"]
    events = [order_event(m, "replay-continued", step=s) for s, m in enumerate(milestones)]
    return await through(env, fake, events, complete=False)


async def fallback_after_silence(env: WorkflowEnvironment, fake: FakeChannels) -> WorkflowHandle:
    """No delivery report in time: e-mail and push take over."""
    event = order_event("shipped", "replay-fallback", push_token="device-1")
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(env.client, event, task_queue=worker.task_queue)
        await until(handle, lambda h: h.state.value == "awaiting_report")
        await env.sleep(700)
        await until(handle, lambda h: h.state.value == "fell_back")
    return handle


async def reconciled_after_silence(env: WorkflowEnvironment, fake: FakeChannels) -> WorkflowHandle:
    """No delivery report in time, but the provider says the SMS was delivered: no e-mail."""
    fake.reconciled = [("delivered", None)]
    event = order_event("shipped", "replay-reconciled", push_token="device-1")
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(env.client, event, task_queue=worker.task_queue)
        await until(handle, lambda h: h.state.value == "awaiting_report")
        await env.sleep(700)
        await until(handle, lambda h: h.state.value == "delivered")
    return handle


async def undelivered(env: WorkflowEnvironment, fake: FakeChannels) -> WorkflowHandle:
    """An undelivered report in the send result; then a customer without a phone."""
    fake.reports_in_send = [("undelivered", "30003")]
    async with new_worker(env.client, fake.activities()) as worker:
        first = order_event("shipped", "replay-undelivered", step=0)
        handle = await signal_milestone(env.client, first, task_queue=worker.task_queue)
        await until(handle, lambda h: h.state.value == "fell_back")
        no_phone = order_event("out_for_delivery", "replay-undelivered", step=1, phone=None)
        await signal_milestone(env.client, no_phone, task_queue=worker.task_queue)
        await until(handle, lambda h: len(h.messages) == 3)
    return handle


async def retries(env: WorkflowEnvironment, fake: FakeChannels) -> WorkflowHandle:
    """A busy sender (a durable timer), then a provider error retried with back-off."""
    now = (await env.get_current_time()).timestamp()
    fake.sender_busy_until = [now + 30]
    fake.sms_errors = [ProviderError("Twilio 503", code="20503", retryable=True)]
    async with new_worker(env.client, fake.activities()) as worker:
        event = order_event("shipped", "replay-retries")
        handle = await signal_milestone(env.client, event, task_queue=worker.task_queue)
        await until(handle, lambda h: any(e.kind.value == "throttled" for e in h.entries))
        await env.sleep(60)
        await until(handle, lambda h: bool(h.messages and h.messages[0].provider_message_id))
    return handle


async def stopped_send(env: WorkflowEnvironment, fake: FakeChannels) -> WorkflowHandle:
    """The deciding send dies after claiming its row: the SMS is finished as claimed."""
    fake.deciding_send_crashes_after_claim = True
    async with new_worker(env.client, fake.activities()) as worker:
        event = order_event("shipped", "replay-stopped")
        handle = await signal_milestone(env.client, event, task_queue=worker.task_queue)
        await until(handle, lambda h: bool(h.messages and h.messages[0].provider_message_id))
    return handle


async def disorder(env: WorkflowEnvironment, fake: FakeChannels) -> WorkflowHandle:
    """Malformed, duplicate and stale signals."""
    async with new_worker(env.client, fake.activities()) as worker:
        first = order_event("shipped", "replay-disorder", step=1)
        handle = await signal_milestone(env.client, first, task_queue=worker.task_queue)
        await signal_milestone(env.client, first, task_queue=worker.task_queue)
        await handle.signal("milestone", {"milestone": "teleported"})
        stale = order_event("confirmed", "replay-disorder", step=0)
        await signal_milestone(env.client, stale, task_queue=worker.task_queue)
        await until(handle, lambda h: len(h.entries) >= 4)
    return handle


async def conversation(env: WorkflowEnvironment, fake: FakeChannels) -> WorkflowHandle:
    """Replies: reschedule to a booked slot, a call-back; then a delay that alerts support."""
    event = order_event("out_for_delivery", "replay-conversation", step=2)
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(env.client, event, task_queue=worker.task_queue)
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
        await signal_milestone(env.client, delayed, task_queue=worker.task_queue)
        await until(handle, lambda h: any(e.kind.value == "support_alerted" for e in h.entries))
    return handle


async def holds(env: WorkflowEnvironment, fake: FakeChannels) -> WorkflowHandle:
    """Over its frequency cap, shipped merges into the next message; out_for_delivery is
    held for delivered (coalescing), which supersedes it and carries the merged news."""
    fake.policy.rules = permissive_rules(
        coalescing=PolicyRules().coalescing,
        notification_types=PolicyRules().notification_types,
    )
    now = await env.get_current_time()
    fake.facts.recent_sms = [
        RecentSend(at=now - timedelta(hours=h), notification_type="order_progress")
        for h in range(1, 5)
    ]
    async with new_worker(env.client, fake.activities()) as worker:
        shipped = order_event("shipped", "replay-holds", step=0)
        handle = await signal_milestone(env.client, shipped, task_queue=worker.task_queue)
        await until(handle, lambda h: any(e.kind.value == "merged" for e in h.entries))
        fake.facts.recent_sms = []
        out = order_event("out_for_delivery", "replay-holds", step=1)
        await signal_milestone(env.client, out, task_queue=worker.task_queue)
        await until(handle, lambda h: any(e.kind.value == "held" for e in h.entries))
        delivered = order_event("delivered", "replay-holds", step=2)
        await signal_milestone(env.client, delivered, task_queue=worker.task_queue)
        await until(handle, lambda h: any(m.provider_message_id for m in h.messages))
        await until(handle, lambda h: sum(e.kind.value == "merged" for e in h.entries) >= 3)
    return handle


async def redecisions(env: WorkflowEnvironment, fake: FakeChannels) -> WorkflowHandle:
    """A capped message freed at night is held again for the morning (a new reason), then
    sent at 08:00; and a coalescing hold that ends on its timer is sent."""
    cap = FrequencyCap(max_messages=1, window_seconds=6 * 3600)
    fake.policy.rules = capped(quiet_hours_rules(coalescing=PolicyRules().coalescing), cap)
    at = next_wall_clock(await env.get_current_time(), TOKYO, time(20, 0))
    fake.facts.recent_sms = [
        RecentSend(at=at - timedelta(minutes=30), notification_type="order_progress")
    ]
    await sleep_until(env, at)
    async with new_worker(env.client, fake.activities()) as worker:
        shipped = order_event("shipped", "replay-redecided", time_zone=TOKYO.key)
        handle = await signal_milestone(env.client, shipped, task_queue=worker.task_queue)
        await until(handle, lambda h: any(e.kind.value == "merged" for e in h.entries))
        await env.sleep(timedelta(hours=13))
        await until(handle, lambda h: any(m.provider_message_id for m in h.messages))
        fake.facts.recent_sms = []
        out = order_event("out_for_delivery", "replay-redecided", step=1, time_zone=TOKYO.key)
        await signal_milestone(env.client, out, task_queue=worker.task_queue)
        await until(handle, lambda h: sum(e.kind.value == "held" for e in h.entries) >= 2)
        await env.sleep(timedelta(minutes=11))
        await until(
            handle,
            lambda h: any(
                m.milestone.value == "out_for_delivery" and m.provider_message_id
                for m in h.messages
            ),
        )
    return handle


async def failover(env: WorkflowEnvironment, fake: FakeChannels) -> WorkflowHandle:
    """Undelivered through the first provider of its route: the second one sends it."""
    fake.route_order = ["vonage", "twilio"]
    fake.reports_in_send = [("undelivered", "1"), ("delivered", None)]
    async with new_worker(env.client, fake.activities()) as worker:
        event = order_event("shipped", "replay-failover")
        handle = await signal_milestone(env.client, event, task_queue=worker.task_queue)
        await until(handle, lambda h: h.state.value == "delivered" and len(h.messages) == 2)
    return handle


SCENARIOS: dict[str, Scenario] = {  # each uses the reference replay-<name>
    "full": full_order,
    "return": full_return,
    "tunables": tunables_in_start,
    "continued": continue_as_new,
    "fallback": fallback_after_silence,
    "reconciled": reconciled_after_silence,
    "undelivered": undelivered,
    "retries": retries,
    "stopped": stopped_send,
    "disorder": disorder,
    "conversation": conversation,
    "holds": holds,
    "redecided": redecisions,
    "failover": failover,
}


def recording_fake() -> FakeChannels:
    """Sends wait for their final report, as the worker's settings have them do."""
    fake = FakeChannels()
    fake.policy = fake.policy.model_copy(update={"delivery_report_wait_seconds": 20.0})
    return fake


async def record(tag: str, only: set[str] | None = None) -> None:
    """Each scenario on a server of its own: a clock skipped far ahead for one scenario
    would fire the timers of the others."""
    for name, scenario in SCENARIOS.items():
        kind = "return" if name == "return" else "order"
        if (only and name not in only) or list(HISTORIES.glob(f"{kind}-replay-{name}.{tag}.json")):
            continue
        env = await start_time_skipping()
        async with env:
            handle = await scenario(env, recording_fake())
            runs = await every_run(handle)
        # Named by workflow id: replaying needs the id the history was recorded under. The
        # latest run is <id>.<tag>.json; runs it continued from are <id>.<tag>.run<n>.json.
        for number, history in enumerate(runs, 1):
            suffix = "" if number == len(runs) else f".run{number}"
            path = HISTORIES / f"{handle.id}.{tag}{suffix}.json"
            path.write_text(history.to_json())
            print(f"recorded {path.name}", flush=True)


async def every_run(handle: WorkflowHandle) -> list[WorkflowHistory]:
    """The histories of the workflow's runs, first to latest."""
    client, runs, run_id = handle._client, [], None
    while True:
        history = await client.get_workflow_handle(handle.id, run_id=run_id).fetch_history()
        runs.insert(0, history)
        started = history.events[0].workflow_execution_started_event_attributes
        if not started.continued_execution_run_id:
            return runs
        run_id = started.continued_execution_run_id


if __name__ == "__main__":
    asyncio.run(record(sys.argv[1] if len(sys.argv) > 1 else "1.0", set(sys.argv[2:]) or None))
