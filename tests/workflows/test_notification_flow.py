"""The notification workflow's decisions, on the time-skipping server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from temporalio.client import WorkflowHandle
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from domain.timeline import (
    Channel,
    DeliveryReport,
    DeliveryStatus,
    EntryKind,
    MessagingHistory,
    NotificationState,
)
from providers.errors import ProviderError
from starter.client import signal_milestone
from tests.helpers.events import ORDER_PATH, RETURN_PATH, order_event, return_event
from tests.helpers.temporal import assert_eventually, new_worker
from tests.workflows.stand_ins import FakeChannels
from workflows.notification import NotificationWorkflow


async def history_of(handle: WorkflowHandle) -> MessagingHistory:
    # By id, not by run: after continue-as-new the latest run holds the history.
    latest = handle._client.get_workflow_handle(handle.id)
    try:
        return await latest.query(NotificationWorkflow.history, rpc_timeout=timedelta(seconds=3))
    except RPCError as exc:
        # A query that lands as a run hands over to the next one can time out; ask again.
        raise AssertionError(f"query failed: {exc}") from exc


async def wait_for(handle: WorkflowHandle, predicate, timeout: float = 15.0) -> MessagingHistory:
    async def check() -> MessagingHistory:
        history = await history_of(handle)
        assert predicate(history), history.model_dump_json(indent=1)
        return history

    return await assert_eventually(check, timeout=timeout)


async def report(
    handle: WorkflowHandle, provider_id: str, status: str, code: str | None = None
) -> None:
    await handle._client.get_workflow_handle(handle.id).signal(
        "delivery_report",
        DeliveryReport(
            provider_message_id=provider_id,
            status=status,
            error_code=code,
            occurred_at=datetime.now(UTC),
        ),
    )


async def send_and_deliver(
    env: WorkflowEnvironment, task_queue: str, reference: str, step: int, milestone: str
) -> WorkflowHandle:
    """Signal the order's next milestone, wait for its SMS, and report it delivered."""
    event = order_event(milestone, reference, step=step)
    handle = await signal_milestone(env.client, event, task_queue=task_queue)
    history = await wait_for(
        handle, lambda h: len([m for m in h.messages if m.provider_message_id]) == step + 1
    )
    await report(handle, history.messages[-1].provider_message_id or "", "delivered")
    return handle


async def test_an_order_through_every_milestone_sends_one_sms_each(
    env: WorkflowEnvironment,
) -> None:
    fake = FakeChannels()
    async with new_worker(env.client, fake.activities()) as worker:
        reference = "A100"
        for step, milestone in enumerate(ORDER_PATH):
            handle = await send_and_deliver(env, worker.task_queue, reference, step, milestone)

        history = await wait_for(
            handle,
            lambda h: (
                h.state == NotificationState.DELIVERED
                and h.messages[-1].status == DeliveryStatus.DELIVERED
            ),
        )
        assert [m.milestone.value for m in history.messages] == ORDER_PATH
        assert all(
            m.channel is Channel.SMS and m.recipient == "+1********67" for m in history.messages
        )
        assert "A100" in fake.sms[0].body or "1Z999AA10123456784" in fake.sms[1].body
        assert history.last_milestone.value == "delivered"
        # The terminal milestone starts the grace period; then the workflow completes.
        result = await handle.result()
        assert result.state == NotificationState.COMPLETED


async def test_a_return_through_every_milestone(env: WorkflowEnvironment) -> None:
    fake = FakeChannels()
    async with new_worker(env.client, fake.activities()) as worker:
        for step, milestone in enumerate(RETURN_PATH):
            handle = await signal_milestone(
                env.client, return_event(milestone, "R7", step=step), task_queue=worker.task_queue
            )
        history = await wait_for(
            handle,
            lambda h: len(h.messages) == 4 and all(m.provider_message_id for m in h.messages),
        )
        assert [m.milestone.value for m in history.messages] == RETURN_PATH
        assert handle.id == "return-R7"


async def test_duplicates_and_stale_milestones_are_recorded_not_sent(
    env: WorkflowEnvironment,
) -> None:
    fake = FakeChannels()
    async with new_worker(env.client, fake.activities()) as worker:
        shipped = order_event("shipped", "A200", step=1, event_id="e-shipped")
        handle = await signal_milestone(env.client, shipped, task_queue=worker.task_queue)
        await signal_milestone(env.client, shipped, task_queue=worker.task_queue)  # same event id
        await signal_milestone(
            env.client, order_event("delivered", "A200", step=3), task_queue=worker.task_queue
        )
        await signal_milestone(
            env.client,
            order_event("out_for_delivery", "A200", step=2),
            task_queue=worker.task_queue,
        )
        await signal_milestone(
            env.client, order_event("confirmed", "A200", step=0), task_queue=worker.task_queue
        )

        history = await wait_for(
            handle, lambda h: sum(e.kind is EntryKind.STALE_IGNORED for e in h.entries) == 2
        )
        assert [m.milestone.value for m in history.messages] == ["shipped", "delivered"]
        assert [e.event_id for e in history.entries if e.kind is EntryKind.DUPLICATE_IGNORED] == [
            "e-shipped"
        ]
        assert len(fake.sms) == 2
        recorded = {e.kind for r in fake.recorded for e in r.entries}
        assert {EntryKind.DUPLICATE_IGNORED, EntryKind.STALE_IGNORED} <= recorded


async def test_a_malformed_signal_is_recorded_and_the_workflow_keeps_going(
    env: WorkflowEnvironment,
) -> None:
    fake = FakeChannels()
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("confirmed", "A300"), task_queue=worker.task_queue
        )
        bad = order_event("shipped", "A300", step=1).model_dump(mode="json")
        bad["customer"]["phone"] = "+1 555"  # not a number
        await handle.signal("milestone", bad)
        await handle.signal("milestone", {"milestone": "teleported"})
        await handle.signal("delivery_report", "not even an object")
        await signal_milestone(
            env.client, order_event("shipped", "A300", step=1), task_queue=worker.task_queue
        )

        history = await wait_for(handle, lambda h: len(h.messages) == 2)
        malformed = [e.detail for e in history.entries if e.kind is EntryKind.MALFORMED_SIGNAL]
        assert len(malformed) == 3
        assert "customer.phone" in malformed[0] and "+1 555" not in malformed[0]
        assert "event_id: Field required" in malformed[1]


async def test_no_delivery_report_in_time_falls_back_to_email(env: WorkflowEnvironment) -> None:
    fake = FakeChannels()
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client,
            order_event("shipped", "A400", push_token="tok-1"),
            task_queue=worker.task_queue,
        )
        await wait_for(handle, lambda h: h.state == NotificationState.AWAITING_REPORT)
        await env.sleep(fake.policy.delivery_report_timeout_seconds + 5)

        history = await wait_for(handle, lambda h: h.state == NotificationState.FELL_BACK)
        sms, email, push = history.messages
        assert sms.status is DeliveryStatus.NO_REPORT
        assert (email.channel, email.status, email.recipient) == (
            Channel.EMAIL,
            DeliveryStatus.SENT,
            "a***@example.com",
        )
        assert push.channel is Channel.PUSH and len(fake.pushes) == 1
        assert any(e.kind is EntryKind.FALLBACK for e in history.entries)


async def test_an_undelivered_report_falls_back_with_its_error_code(
    env: WorkflowEnvironment,
) -> None:
    fake = FakeChannels()
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("out_for_delivery", "A500"), task_queue=worker.task_queue
        )
        history = await wait_for(handle, lambda h: h.messages and h.messages[0].provider_message_id)
        sid = history.messages[0].provider_message_id
        await report(handle, sid, "sent")
        await report(handle, sid, "undelivered", "30003")
        await report(handle, sid, "sent")  # late and out of order: changes nothing

        history = await wait_for(handle, lambda h: h.state == NotificationState.FELL_BACK)
        assert history.messages[0].status is DeliveryStatus.UNDELIVERED
        assert history.messages[0].error_code == "30003"
        assert len(fake.emails) == 1


async def test_a_report_that_beats_the_send_result_is_kept_and_applied(
    env: WorkflowEnvironment,
) -> None:
    fake = FakeChannels()
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("confirmed", "A550"), task_queue=worker.task_queue
        )
        await report(handle, "SM-unknown", "delivered")  # nobody's: kept, harmless
        history = await wait_for(handle, lambda h: h.messages and h.messages[0].provider_message_id)
        assert history.messages[0].status is DeliveryStatus.ACCEPTED


async def test_retryable_provider_errors_back_off_then_succeed(env: WorkflowEnvironment) -> None:
    fake = FakeChannels()
    fake.sms_errors = [
        ProviderError("Twilio 429", code="20429", retryable=True),
        ProviderError("Twilio 503", code="20503", retryable=True),
    ]
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("shipped", "A600"), task_queue=worker.task_queue
        )
        await env.sleep(60)
        history = await wait_for(handle, lambda h: h.messages and h.messages[0].provider_message_id)
        assert fake.sms_calls == 3
        assert history.messages[0].status is DeliveryStatus.ACCEPTED
        assert not fake.emails


async def test_a_permanent_error_falls_back_at_once(env: WorkflowEnvironment) -> None:
    fake = FakeChannels()
    fake.sms_errors = [ProviderError("Twilio 400 21211", code="21211", retryable=False)]
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("shipped", "A700"), task_queue=worker.task_queue
        )
        history = await wait_for(handle, lambda h: h.state == NotificationState.FELL_BACK)
        assert fake.sms_calls == 1
        assert (history.messages[0].status, history.messages[0].error_code) == (
            DeliveryStatus.FAILED,
            "21211",
        )
        assert history.messages[1].channel is Channel.EMAIL


async def test_an_sms_that_cannot_render_is_refused_and_falls_back(
    env: WorkflowEnvironment,
) -> None:
    fake = FakeChannels(sms_render_error="template order/shipped.sms.j2: undefined 'carrier'")
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("shipped", "A750"), task_queue=worker.task_queue
        )
        history = await wait_for(handle, lambda h: h.state == NotificationState.FELL_BACK)
        assert fake.sms_calls == 0
        sms, email = history.messages
        assert sms.status is DeliveryStatus.FAILED and "undefined" in (sms.error_message or "")
        assert email.channel is Channel.EMAIL
        assert any(e.kind is EntryKind.RENDER_FAILED for e in history.entries)


async def test_exhausted_retries_fall_back_and_without_email_the_state_is_failed(
    env: WorkflowEnvironment,
) -> None:
    fake = FakeChannels()
    fake.sms_errors = [ProviderError("Twilio 500", code="20500", retryable=True)] * 5
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("shipped", "A800", email=None), task_queue=worker.task_queue
        )
        await env.sleep(120)
        history = await wait_for(handle, lambda h: h.state == NotificationState.FAILED)
        assert fake.sms_calls == fake.policy.sms_max_attempts
        assert history.messages[0].provider_calls == fake.policy.sms_max_attempts
        assert any(e.kind is EntryKind.NO_CHANNEL for e in history.entries)


async def test_one_attempt_allowed_is_the_deciding_sends_own(env: WorkflowEnvironment) -> None:
    fake = FakeChannels()
    fake.policy.sms_max_attempts = 1
    fake.sms_errors = [ProviderError("Twilio 503", code="20503", retryable=True)]
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("shipped", "A810"), task_queue=worker.task_queue
        )
        history = await wait_for(handle, lambda h: h.state == NotificationState.FELL_BACK)
        assert fake.sms_calls == 1 and len(fake.emails) == 1
        assert (history.messages[0].error_code, history.messages[0].provider_calls) == ("20503", 1)


async def test_a_busy_sender_holds_the_message_on_a_durable_timer(env: WorkflowEnvironment) -> None:
    fake = FakeChannels(slot_delay_seconds=90)
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("confirmed", "A900"), task_queue=worker.task_queue
        )
        await wait_for(handle, lambda h: any(e.kind is EntryKind.THROTTLED for e in h.entries))
        assert not fake.sms
        await env.sleep(100)
        await wait_for(handle, lambda h: h.messages[0].provider_message_id)


async def test_continue_as_new_keeps_the_whole_timeline(env: WorkflowEnvironment) -> None:
    fake = FakeChannels()
    fake.policy.history_event_limit = 40
    async with new_worker(env.client, fake.activities()) as worker:
        reference, run_ids = "A1000", set()
        for step, milestone in enumerate(["confirmed", "shipped", "delayed", "out_for_delivery"]):
            handle = await send_and_deliver(env, worker.task_queue, reference, step, milestone)
            await wait_for(handle, lambda h: h.messages[-1].status is DeliveryStatus.DELIVERED)
            run_ids.add((await env.client.get_workflow_handle(handle.id).describe()).run_id)

        history = await history_of(handle)
        assert (
            sum(e.kind is EntryKind.CONTINUED_AS_NEW for e in history.entries)
            == len(run_ids) - 1
            >= 1
        )
        assert [m.milestone.value for m in history.messages] == [
            "confirmed",
            "shipped",
            "delayed",
            "out_for_delivery",
        ]


async def test_a_report_awaited_across_continue_as_new_keeps_its_deadline(
    env: WorkflowEnvironment,
) -> None:
    """The run hands over while an SMS waits for its report: the next run waits on (the
    report can still come), and falls back when the deadline passes without one."""
    fake = FakeChannels()
    fake.policy.history_event_limit = 10  # due right after the first send
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("shipped", "A1100"), task_queue=worker.task_queue
        )
        await wait_for(
            handle, lambda h: any(e.kind is EntryKind.CONTINUED_AS_NEW for e in h.entries)
        )
        history = await wait_for(handle, lambda h: h.state is NotificationState.AWAITING_REPORT)
        assert len(history.messages) == 1 and not fake.emails
        await env.sleep(700)
        history = await wait_for(handle, lambda h: h.state is NotificationState.FELL_BACK)
        assert history.messages[0].status is DeliveryStatus.NO_REPORT
        assert [m.channel for m in history.messages] == [Channel.SMS, Channel.EMAIL]
