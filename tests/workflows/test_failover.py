"""Failover between SMS providers in the workflow, on the time-skipping server: a second
provider sends only once the first is known to have failed, and the history shows both."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from temporalio.testing import WorkflowEnvironment

from domain.timeline import (
    Channel,
    DeliveryStatus,
    EntryKind,
    MessageRecord,
    MessagingHistory,
    NotificationState,
)
from providers.errors import ProviderError
from routing.failover import Attempt, AttemptOutcome, next_step
from routing.keys import attempt_key
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


# The workflow decides the next provider with routing/failover.py's rule, not a copy of it:
# whatever the rule answers for an attempt's outcome, the workflow does, on a 3-provider
# route. A copy that drifts (a "pending" message sent again, say) fails here.
ROUTE = ["vonage", "twilio", "plivo"]


@dataclass(frozen=True)
class FirstAttempt:
    """How the first provider's attempt ends, in the stand-ins and as the rule reads it."""

    reports: list[tuple[str, str | None]]  # the final report of each send, in order
    outcome: AttemptOutcome
    errors: list[ProviderError] = field(default_factory=list)
    no_report: bool = False  # none comes: the workflow's deadline passes


FIRST_ATTEMPTS = {
    "undelivered": FirstAttempt([("undelivered", "30003"), ("delivered", None)], "failed"),
    "failed": FirstAttempt([("failed", "30008"), ("delivered", None)], "failed"),
    "delivered": FirstAttempt([("delivered", None)], "delivered"),
    "pending": FirstAttempt([], "pending", no_report=True),
    "recipient-refused": FirstAttempt(
        [], "recipient_refused", [ProviderError("STOP", code="21610", retryable=False)]
    ),
}


def sms_records(history: MessagingHistory) -> list[MessageRecord]:
    return [m for m in history.messages if m.channel is Channel.SMS]


def is_settled(history: MessagingHistory) -> bool:
    return history.state in (NotificationState.DELIVERED, NotificationState.FELL_BACK)


@pytest.mark.parametrize("kind", list(FIRST_ATTEMPTS))
async def test_the_workflow_does_what_the_failover_rule_says_after_each_outcome(
    env: WorkflowEnvironment, kind: str
) -> None:
    first_attempt = FIRST_ATTEMPTS[kind]
    fake = routed(*first_attempt.reports, order=ROUTE)
    fake.sms_errors = list(first_attempt.errors)
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("shipped", f"FA-{kind}"), task_queue=worker.task_queue
        )
        if first_attempt.no_report:
            await wait_for(handle, lambda h: h.state is NotificationState.AWAITING_REPORT)
            await env.sleep(timedelta(seconds=700))
        history = await wait_for(handle, is_settled)

    rule = next_step(ROUTE, [Attempt(ROUTE[0], first_attempt.outcome)])
    first, *later = sms_records(history)
    if rule.action == "send_next":
        [second] = later
        assert second.provider == rule.provider
        assert second.message_key == attempt_key(first.message_key, second.provider or "")
        assert second.status is DeliveryStatus.DELIVERED and fake.emails == []
    else:  # no second SMS; e-mail only when the rule falls back
        assert later == []
        assert len(fake.emails) == (1 if rule.action == "fallback" else 0)


async def test_each_failure_on_a_three_provider_route_moves_on_as_the_rule_says(
    env: WorkflowEnvironment,
) -> None:
    fake = routed(("failed", "30008"), ("undelivered", "30003"), ("failed", "30008"), order=ROUTE)
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal_milestone(
            env.client, order_event("shipped", "FA-chain"), task_queue=worker.task_queue
        )
        history = await wait_for(handle, is_settled)

    # The rule's providers when each one's report says failed, until it falls back.
    expected: list[str] = []
    while (step := next_step(ROUTE, [Attempt(p, "failed") for p in expected])).provider:
        expected.append(step.provider)
    assert [m.provider for m in sms_records(history)] == expected
    assert step.action == "fallback" and len(fake.emails) == 1
    assert history.state is NotificationState.FELL_BACK
