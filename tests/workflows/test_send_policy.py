"""The send policy as the workflow applies it, on the time-skipping server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from temporalio.runtime import MetricBuffer, Runtime, TelemetryConfig
from temporalio.testing import WorkflowEnvironment

from domain.timeline import Channel, EntryKind, MessageRecord, MessagingHistory
from policy.channels import ConsentState
from policy.frequency import RecentSend
from policy.rules import PolicyRules
from starter.client import signal_milestone
from tests.helpers.events import order_event
from tests.helpers.policies import permissive_rules
from tests.helpers.temporal import new_worker, start_time_skipping
from tests.workflows.stand_ins import FakeChannels
from tests.workflows.test_notification_flow import report, wait_for
from workflows.send_policy import DECISIONS_METRIC


def night_zone(now: datetime) -> str:
    """A fixed-offset zone where it is about 03:00 right now (the test server's clock)."""
    offset = (3 - now.hour) % 24
    offset = offset - 24 if offset > 12 else offset
    # Etc/GMT signs are inverted: Etc/GMT-5 is UTC+5. Not "UTC" at offset 0 (between 03:00
    # and 04:00 UTC): that is the event's default, which the policy reads as "zone unknown".
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def sms_of(history: MessagingHistory) -> list[MessageRecord]:
    return [m for m in history.messages if m.channel is Channel.SMS]


async def server_now(env: WorkflowEnvironment) -> datetime:
    return await env.get_current_time()


async def test_quiet_hours_hold_a_routine_sms_until_morning_but_not_an_exception(
    env: WorkflowEnvironment,
) -> None:
    fake = FakeChannels()
    fake.policy.rules = permissive_rules(sending_window=PolicyRules().sending_window)
    zone = night_zone(await server_now(env))
    async with new_worker(env.client, fake.activities()) as worker:
        shipped = order_event("shipped", "Q1", time_zone=zone, step=0)
        handle = await signal_milestone(env.client, shipped, task_queue=worker.task_queue)
        await wait_for(handle, lambda h: any(e.kind is EntryKind.HELD for e in h.entries))
        attempted = order_event("delivery_attempted", "Q1", time_zone=zone, step=1)
        await signal_milestone(env.client, attempted, task_queue=worker.task_queue)

        history = await wait_for(handle, lambda h: len(sms_of(h)) == 1)
        assert sms_of(history)[0].milestone.value == "delivery_attempted"  # critical: at night
        held = next(e for e in history.entries if e.kind is EntryKind.HELD)
        assert "quiet_hours" in held.detail and "08:00" in held.detail

        await env.sleep(timedelta(hours=6))
        history = await wait_for(handle, lambda h: len(sms_of(h)) == 2)
        assert sms_of(history)[1].milestone.value == "shipped"
        sent_at = sms_of(history)[1].statuses[0].at
        assert (sent_at - held.at) >= timedelta(hours=4)  # it waited for 08:00 local


async def test_over_the_frequency_cap_a_message_merges_into_the_next(
    env: WorkflowEnvironment,
) -> None:
    fake = FakeChannels()
    fake.policy.rules = permissive_rules(notification_types=PolicyRules().notification_types)
    now = await server_now(env)
    fake.facts.recent_sms = [
        RecentSend(at=now - timedelta(hours=h), notification_type="order_progress")
        for h in range(1, 5)
    ]
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("shipped", "F1", step=0), task_queue=worker.task_queue
        )
        history = await wait_for(
            handle, lambda h: any(e.kind is EntryKind.MERGED for e in h.entries)
        )
        assert not history.messages and not fake.sms
        merged = next(e for e in history.entries if e.kind is EntryKind.MERGED)
        assert "frequency_cap" in merged.detail

        fake.facts.recent_sms = []  # the window has room again for the next milestone
        await signal_milestone(
            env.client, order_event("out_for_delivery", "F1", step=1), task_queue=worker.task_queue
        )
        history = await wait_for(
            handle, lambda h: any("carried by the out_for_delivery" in e.detail for e in h.entries)
        )
        assert [m.milestone.value for m in history.messages] == ["out_for_delivery"]


async def test_an_opted_out_number_gets_email_and_never_an_sms(env: WorkflowEnvironment) -> None:
    fake = FakeChannels()
    fake.facts.sms_consent = ConsentState.OPTED_OUT
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("shipped", "C1"), task_queue=worker.task_queue
        )
        # The record appears when the e-mail is handed over; wait until the server took it.
        history = await wait_for(
            handle, lambda h: len(h.messages) == 1 and h.messages[0].provider_message_id
        )
        assert history.messages[0].channel is Channel.EMAIL
        assert not fake.sms and len(fake.emails) == 1
        assert fake.fact_requests[0].phone == "+14155550167"


async def test_a_muted_channel_is_respected_and_nothing_left_means_suppressed(
    env: WorkflowEnvironment,
) -> None:
    fake = FakeChannels()
    fake.facts.muted = [Channel.SMS, Channel.EMAIL]
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("shipped", "P1"), task_queue=worker.task_queue
        )
        history = await wait_for(
            handle, lambda h: any(e.kind is EntryKind.SUPPRESSED for e in h.entries)
        )
        assert not history.messages and not fake.sms and not fake.emails


async def test_out_for_delivery_waits_briefly_and_only_delivered_is_sent(
    env: WorkflowEnvironment,
) -> None:
    fake = FakeChannels()
    fake.policy.rules = permissive_rules(coalescing=PolicyRules().coalescing)
    async with new_worker(env.client, fake.activities()) as worker:
        out = order_event("out_for_delivery", "K1", step=0)
        handle = await signal_milestone(env.client, out, task_queue=worker.task_queue)
        await wait_for(handle, lambda h: any(e.kind is EntryKind.HELD for e in h.entries))
        delivered = order_event("delivered", "K1", step=1)
        await signal_milestone(env.client, delivered, task_queue=worker.task_queue)

        history = await wait_for(
            handle,
            lambda h: (
                any(m.provider_message_id for m in h.messages)
                and any(e.kind is EntryKind.MERGED for e in h.entries)
            ),
        )
        assert [m.milestone.value for m in history.messages] == ["delivered"]
        assert len(fake.sms) == 1


async def test_without_newer_news_the_held_message_goes_when_its_window_ends(
    env: WorkflowEnvironment,
) -> None:
    fake = FakeChannels()
    fake.policy.rules = permissive_rules(coalescing=PolicyRules().coalescing)
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("out_for_delivery", "K2"), task_queue=worker.task_queue
        )
        await wait_for(handle, lambda h: any(e.kind is EntryKind.HELD for e in h.entries))
        assert not fake.sms
        await env.sleep(timedelta(minutes=11))
        history = await wait_for(handle, lambda h: len(h.messages) == 1)
        assert history.messages[0].milestone.value == "out_for_delivery"


async def test_a_busy_sender_makes_the_workflow_wait_on_a_timer_not_fail(
    env: WorkflowEnvironment,
) -> None:
    fake = FakeChannels()
    fake.sender_busy_until = [(await server_now(env)).timestamp() + 45]
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("shipped", "B1"), task_queue=worker.task_queue
        )
        await wait_for(handle, lambda h: any(e.kind is EntryKind.THROTTLED for e in h.entries))
        await env.sleep(60)
        history = await wait_for(handle, lambda h: h.messages and h.messages[0].provider_message_id)
        assert fake.sms_calls == 2 and not fake.emails
        await report(handle, history.messages[0].provider_message_id or "", "delivered")


def test_night_zone_is_at_night() -> None:
    for hour in range(24):
        now = datetime(2026, 1, 1, hour, tzinfo=UTC)
        from zoneinfo import ZoneInfo

        assert now.astimezone(ZoneInfo(night_zone(now))).hour == 3


async def test_the_workflows_own_decisions_are_counted_once_even_on_replay() -> None:
    """A customer without a phone is decided in the workflow: counted on the worker's
    metrics (by action, rule and milestone), and not again when the history replays."""
    buffer = MetricBuffer(1000)
    runtime = Runtime(telemetry=TelemetryConfig(metrics=buffer))
    async with await start_time_skipping(runtime) as env:
        fake = FakeChannels()
        event = order_event("shipped", "M1", phone=None)
        async with new_worker(env.client, fake.activities(), max_cached_workflows=0) as worker:
            handle = await signal_milestone(env.client, event, task_queue=worker.task_queue)
            await wait_for(handle, lambda h: len(h.messages) == 1)
            await handle.query("history")  # with no cache, every task replays the history

    counted = [
        update for update in buffer.retrieve_updates() if update.metric.name == DECISIONS_METRIC
    ]
    assert [u.value for u in counted] == [1]
    assert counted[0].attributes["action"] == "send"
    assert counted[0].attributes["milestone"] == "shipped"
