"""Final delivery reports that complete the send activity itself (``reports-with-send``).

On the time-skipping server with the stand-in activities: what the workflow does with a
report inside the send's result, and that a send whose wait ended without one falls back
to the signalled report and its durable deadline.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from domain.timeline import Channel, DeliveryStatus, EntryKind, NotificationState
from starter.client import signal_milestone
from tests.helpers.events import order_event
from tests.helpers.temporal import new_worker
from tests.workflows.stand_ins import FakeChannels
from tests.workflows.test_notification_flow import report, wait_for

WAIT_SECONDS = 20.0


def waiting_fake() -> FakeChannels:
    fake = FakeChannels()
    fake.policy = fake.policy.model_copy(update={"delivery_report_wait_seconds": WAIT_SECONDS})
    return fake


async def event_types(handle: WorkflowHandle) -> list[EventType.ValueType]:
    history = await handle.fetch_history()
    return [event.event_type for event in history.events]


SENDS = ("decide_and_send_sms", "send_sms")


async def send_sms_timeouts(handle: WorkflowHandle) -> list[float]:
    history = await handle.fetch_history()
    return [
        event.activity_task_scheduled_event_attributes.start_to_close_timeout.ToTimedelta().total_seconds()
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        and event.activity_task_scheduled_event_attributes.activity_type.name in SENDS
    ]


async def test_a_report_inside_the_send_result_needs_no_signal_and_no_timer(
    env: WorkflowEnvironment,
) -> None:
    fake = waiting_fake()
    fake.reports_in_send = [("delivered", None)]
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("shipped", "W100"), task_queue=worker.task_queue
        )
        history = await wait_for(handle, lambda h: h.state == NotificationState.DELIVERED)

        sms = history.messages[0]
        assert sms.status is DeliveryStatus.DELIVERED
        assert [c.status for c in sms.statuses] == [
            DeliveryStatus.ACCEPTED,
            DeliveryStatus.DELIVERED,
        ]
        assert sms.statuses[0].at < sms.statuses[1].at  # the provider's times, not the result's
        assert fake.sms[0].report_wait_seconds == WAIT_SECONDS
        # The send's timeout covers the provider call and the wait.
        assert await send_sms_timeouts(handle) == [fake.policy.send_timeout_seconds + WAIT_SECONDS]
        types = await event_types(handle)
        assert EventType.EVENT_TYPE_TIMER_STARTED not in types
        # The milestone's attributes once, when its send ended: no "sending" or "awaiting
        # report" in between. One marker, the policy's settings: the send decided, with no
        # marker of its own.
        assert types.count(EventType.EVENT_TYPE_MARKER_RECORDED) == 1
        assert types.count(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES) == 1
        [upsert] = [
            e.upsert_workflow_search_attributes_event_attributes.search_attributes
            for e in (await handle.fetch_history()).events
            if e.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES
            and "HeraldNotificationState"
            in e.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields
        ]
        assert b"delivered" in upsert.indexed_fields["HeraldNotificationState"].data
        assert b"shipped" in upsert.indexed_fields["HeraldMilestone"].data
        assert EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED in types  # the milestone only
        assert types.count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) == 1


async def test_an_undelivered_report_inside_the_send_result_falls_back_at_once(
    env: WorkflowEnvironment,
) -> None:
    fake = waiting_fake()
    fake.reports_in_send = [("undelivered", "30003")]
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("out_for_delivery", "W200"), task_queue=worker.task_queue
        )
        history = await wait_for(handle, lambda h: h.state == NotificationState.FELL_BACK)

        sms, email = history.messages
        assert (sms.status, sms.error_code) == (DeliveryStatus.UNDELIVERED, "30003")
        assert (email.channel, email.status) == (Channel.EMAIL, DeliveryStatus.SENT)
        assert len(fake.emails) == 1


async def test_a_send_completed_by_its_report_decides_the_fallback_only_when_it_failed(
    env: WorkflowEnvironment,
) -> None:
    """The HTTP service's completion carries the SMS, not the decision, which stayed in
    the deciding activity's worker: a delivered SMS needs none, a failed one asks again."""
    fake = waiting_fake()
    fake.deciding_send_completed_by_report = True
    fake.reports_in_send = [("delivered", None), ("undelivered", "30003")]
    async with new_worker(env.client, fake.activities()) as worker:
        delivered = await signal_milestone(
            env.client, order_event("confirmed", "W210"), task_queue=worker.task_queue
        )
        history = await wait_for(delivered, lambda h: h.state == NotificationState.DELIVERED)
        assert history.messages[0].body == fake.sms[0].body and len(fake.fact_requests) == 1

        failed = await signal_milestone(
            env.client, order_event("confirmed", "W220"), task_queue=worker.task_queue
        )
        history = await wait_for(failed, lambda h: h.state == NotificationState.FELL_BACK)

        sms, email = history.messages
        assert (sms.status, sms.error_code) == (DeliveryStatus.UNDELIVERED, "30003")
        assert email.channel is Channel.EMAIL and len(fake.emails) == 1
        assert len(fake.fact_requests) == 3  # the second SMS's decision, then its fallback's


async def test_a_deciding_send_that_crashed_is_decided_and_sent_again_the_usual_way(
    env: WorkflowEnvironment,
) -> None:
    fake = waiting_fake()
    fake.deciding_send_crashes = True
    fake.reports_in_send = [("delivered", None)]
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("shipped", "W230"), task_queue=worker.task_queue
        )
        history = await wait_for(handle, lambda h: h.state == NotificationState.DELIVERED)

        [sms] = history.messages
        assert sms.status is DeliveryStatus.DELIVERED and len(fake.sms) == 1
        assert fake.sms[0].identity.message_key == sms.message_key  # the same outbox row
        assert [r.sms_of is not None for r in fake.fact_requests] == [True]  # the local one


async def test_waiting_for_the_providers_window_spends_no_attempt(
    env: WorkflowEnvironment,
) -> None:
    """The deciding send died inside its call; the retry's look-ups find nothing for more
    rounds than the SMS has attempts (the provider's 90 s window outlasts them). Each round
    waits on a durable timer until the window's end and costs no attempt, so the SMS is
    still sent (or adopted) once, and no e-mail goes out."""
    fake = waiting_fake()
    fake.deciding_send_crashes = True
    fake.awaiting_provider_seconds = [30.0, 30.0, 30.0, 30.0]  # sms_max_attempts is 3
    fake.reports_in_send = [("delivered", None)]
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("shipped", "W235"), task_queue=worker.task_queue
        )
        for _ in range(4):
            await env.sleep(timedelta(seconds=31))
        history = await wait_for(handle, lambda h: h.state == NotificationState.DELIVERED)

    [sms] = history.messages
    assert sms.status is DeliveryStatus.DELIVERED and fake.emails == []
    assert len(fake.sms) == 1 and len(fake.lookups) == 4
    gaps = [b - a for a, b in itertools.pairwise(fake.lookups)]
    assert all(gap >= 30.0 for gap in gaps)  # each wait lasted until the window's end
    waits = [e for e in history.entries if e.kind is EntryKind.THROTTLED]
    assert len(waits) == 4 and "may still accept" in waits[0].detail


async def test_a_deciding_send_that_stopped_after_its_claim_is_finished_as_claimed(
    env: WorkflowEnvironment,
) -> None:
    """Meanwhile the customer turned SMS off: decided again, it would go by e-mail. But the
    claim says an SMS may have gone out, so send_sms finishes it with the claimed text."""
    fake = waiting_fake()
    fake.deciding_send_crashes_after_claim = True
    fake.facts_after_claim = fake.facts.model_copy(update={"muted": [Channel.SMS]})
    fake.reports_in_send = [("delivered", None)]
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("shipped", "W240"), task_queue=worker.task_queue
        )
        history = await wait_for(handle, lambda h: h.state == NotificationState.DELIVERED)

        [sms] = history.messages
        assert sms.channel is Channel.SMS and fake.emails == []
        assert [s.body for s in fake.sms] == list(fake.claimed.values())
        assert fake.sms[0].identity.message_key == sms.message_key


async def test_a_wait_that_ends_without_a_report_goes_back_to_the_signalled_report(
    env: WorkflowEnvironment,
) -> None:
    fake = waiting_fake()  # no scripted report: the send's wait ends without one
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("confirmed", "W300"), task_queue=worker.task_queue
        )
        history = await wait_for(handle, lambda h: h.state == NotificationState.AWAITING_REPORT)
        await report(handle, history.messages[0].provider_message_id or "", "delivered")

        history = await wait_for(handle, lambda h: h.state == NotificationState.DELIVERED)
        assert history.messages[0].status is DeliveryStatus.DELIVERED
        assert EventType.EVENT_TYPE_TIMER_STARTED in await event_types(handle)


async def test_a_slow_report_still_has_its_durable_deadline(env: WorkflowEnvironment) -> None:
    fake = waiting_fake()
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("shipped", "W400"), task_queue=worker.task_queue
        )
        await wait_for(handle, lambda h: h.state == NotificationState.AWAITING_REPORT)
        await env.sleep(fake.policy.delivery_report_timeout_seconds + 5)

        history = await wait_for(handle, lambda h: h.state == NotificationState.FELL_BACK)
        assert history.messages[0].status is DeliveryStatus.NO_REPORT
        assert history.messages[1].channel is Channel.EMAIL


async def test_without_a_wait_the_send_returns_on_the_accept(env: WorkflowEnvironment) -> None:
    fake = FakeChannels()  # delivery_report_wait_seconds 0
    fake.reports_in_send = [("delivered", None)]  # never asked for
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("shipped", "W500"), task_queue=worker.task_queue
        )
        history = await wait_for(handle, lambda h: h.state == NotificationState.AWAITING_REPORT)
        assert fake.sms[0].report_wait_seconds == 0
        assert history.messages[0].status is DeliveryStatus.ACCEPTED
        assert await send_sms_timeouts(handle) == [fake.policy.send_timeout_seconds]


async def test_tunables_in_the_start_input_spare_the_run_its_local_activity(
    env: WorkflowEnvironment,
) -> None:
    """A milestone's whole history: the start, its signal, the deciding send (which got
    its report), one upsert; no marker: the run did not load the tunables itself."""
    fake = waiting_fake()
    fake.reports_in_send = [("delivered", None)]
    sent_policy = fake.policy.model_copy(update={"delivery_report_wait_seconds": 7.0})
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client,
            order_event("shipped", "W300"),
            task_queue=worker.task_queue,
            policy=sent_policy,
        )
        await wait_for(handle, lambda h: h.state == NotificationState.DELIVERED)
        types = await event_types(handle)
        assert EventType.EVENT_TYPE_MARKER_RECORDED not in types
        assert types.count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) == 1
        assert types.count(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES) == 1
        assert fake.sms[0].report_wait_seconds == 7.0  # the start input's, not the worker's
