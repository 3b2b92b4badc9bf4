"""Failover between SMS providers in the workflow, on the time-skipping server: a second
provider sends only once the first is known to have failed, and the history shows both."""

from __future__ import annotations

from datetime import timedelta

from temporalio.testing import WorkflowEnvironment

from domain.timeline import Channel, DeliveryStatus, EntryKind, NotificationState
from starter.client import signal_milestone
from tests.helpers.events import order_event
from tests.helpers.temporal import new_worker
from tests.workflows.stand_ins import FakeChannels
from tests.workflows.test_notification_flow import report, wait_for
from workflows.support_view import current_details


def routed(*reports: tuple[str, str | None], order: list[str] | None = None) -> FakeChannels:
    fake = FakeChannels()
    fake.policy = fake.policy.model_copy(update={"delivery_report_wait_seconds": 20.0})
    fake.route_order = order or ["vonage", "twilio", "plivo"]
    fake.reports_in_send = list(reports)
    return fake


async def test_undelivered_through_one_provider_is_delivered_once_through_the_next(
    env: WorkflowEnvironment,
) -> None:
    fake = routed(("undelivered", "1"), ("delivered", None))
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("shipped", "F1"), task_queue=worker.task_queue
        )
        history = await wait_for(handle, lambda h: h.state is NotificationState.DELIVERED)

    first, second = history.messages
    assert (first.provider, first.status) == ("vonage", DeliveryStatus.UNDELIVERED)
    assert (second.provider, second.status) == ("twilio", DeliveryStatus.DELIVERED)
    assert second.message_key == f"{first.message_key}@twilio" and second.attempt == 2
    assert second.body == first.body and second.route_reason is not None
    assert [s.provider for s in fake.sms] == [None, "twilio"]  # the second names its provider
    assert any(e.kind is EntryKind.FAILOVER for e in history.entries)
    assert fake.emails == []  # delivered by SMS: no e-mail
    details = current_details(history)
    rows = {
        via: next(line for line in details.splitlines() if f"SMS via {via}" in line)
        for via in ("vonage", "twilio")
    }
    assert "undelivered" in rows["vonage"]
    assert "delivered" in rows["twilio"] and "undelivered" not in rows["twilio"]
    assert "Routing:" in details and "twilio by best score" in details


async def test_every_provider_failing_falls_back_to_email(env: WorkflowEnvironment) -> None:
    fake = routed(("undelivered", "1"), ("failed", "30003"), order=["vonage", "twilio"])
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("shipped", "F2"), task_queue=worker.task_queue
        )
        history = await wait_for(handle, lambda h: h.state is NotificationState.FELL_BACK)
    assert [m.provider for m in history.messages if m.channel is Channel.SMS] == [
        "vonage",
        "twilio",
    ]
    assert len(fake.emails) == 1


async def test_no_report_is_not_known_failed_so_no_second_sms(env: WorkflowEnvironment) -> None:
    fake = routed()  # no report comes with the send, and none later
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("shipped", "F3"), task_queue=worker.task_queue
        )
        await wait_for(handle, lambda h: h.state is NotificationState.AWAITING_REPORT)
        await env.sleep(timedelta(seconds=700))
        history = await wait_for(handle, lambda h: h.state is NotificationState.FELL_BACK)
    [sms] = [m for m in history.messages if m.channel is Channel.SMS]
    assert sms.status is DeliveryStatus.NO_REPORT and len(fake.sms) == 1
    assert len(fake.emails) == 1


async def test_a_failed_report_signalled_later_fails_over_too(env: WorkflowEnvironment) -> None:
    fake = routed(order=["plivo", "vonage"])
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("shipped", "F4"), task_queue=worker.task_queue
        )
        history = await wait_for(handle, lambda h: h.state is NotificationState.AWAITING_REPORT)
        await report(handle, history.messages[0].provider_message_id or "", "undelivered", "30")
        history = await wait_for(
            handle, lambda h: len(h.messages) == 2 and h.messages[1].provider_message_id
        )
        await report(handle, history.messages[1].provider_message_id or "", "delivered")
        history = await wait_for(handle, lambda h: h.state is NotificationState.DELIVERED)
    assert [m.provider for m in history.messages] == ["plivo", "vonage"]


async def test_twilio_alone_never_fails_over(env: WorkflowEnvironment) -> None:
    fake = FakeChannels()
    fake.policy = fake.policy.model_copy(update={"delivery_report_wait_seconds": 20.0})
    fake.reports_in_send = [("undelivered", "30003")]
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("shipped", "F5"), task_queue=worker.task_queue
        )
        history = await wait_for(handle, lambda h: h.state is NotificationState.FELL_BACK)
    assert len([m for m in history.messages if m.channel is Channel.SMS]) == 1
