"""What each send activity does on a first call, a retry, a crash and a provider error."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from temporalio import activity
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.delivery import OPTED_OUT, REJECTED, SENDER_BUSY, UNAVAILABLE, MessageIdentity
from activities.dependencies import Dependencies
from activities.email import EmailActivities, SendEmailInput
from activities.push import PushActivities, SendPushInput
from activities.report_waits import ReportWait
from activities.sms import (
    REPORT_WAIT_MARGIN_SECONDS,
    SendSmsInput,
    SmsActivities,
    SmsSent,
    _report_wait_left,
)
from domain.milestones import Kind, Milestone
from domain.timeline import Channel
from policy.rules import SenderLimit
from store.outbox import NewMessage
from store.tables import OutboxState
from tests.helpers.events import order_event
from tests.helpers.temporal import assert_eventually
from tests.sandbox.conftest import RunningSandbox

PHONE = "+14155550142"


def identity(channel: Channel = Channel.SMS, reference: str = "A1") -> MessageIdentity:
    return MessageIdentity(
        message_key=f"order-{reference}:shipped:1:{channel.value}",
        workflow_id=f"order-{reference}",
        kind=Kind.ORDER,
        reference=reference,
        milestone=Milestone.SHIPPED,
        channel=channel,
        recipient_masked="+1********42",
    )


def sms_input(body: str = "Herald Shop: order A1 has shipped.") -> SendSmsInput:
    return SendSmsInput(identity=identity(), to=PHONE, body=body, encoding="GSM-7", segments=1)


def crashed_mid_call(
    deps: Dependencies, request: SendSmsInput, called_at: datetime | None = None
) -> None:
    """What a worker that died inside the provider call leaves: a claimed row, one call."""
    message = NewMessage(
        message_key=request.identity.message_key,
        workflow_id="order-A1",
        kind="order",
        reference="A1",
        milestone="shipped",
        channel="sms",
        attempt=1,
        recipient=PHONE,
        recipient_masked="+1********42",
        body=request.body,
    )
    deps.store.outbox.claim(message, called_at or datetime.now(UTC), calling=True)


# A client that never connects: what the activity hands to its report wait, which these
# tests end themselves (the end-to-end tests complete real activities).
NOWHERE = "127.0.0.1:9"


async def nowhere_client() -> Client:
    return await Client.connect(NOWHERE, lazy=True, data_converter=pydantic_data_converter)


async def activity_environment(timeout_seconds: float = 60.0) -> ActivityEnvironment:
    """An attempt that started now, with this start-to-close timeout."""
    environment = ActivityEnvironment(client=await nowhere_client())
    environment.info = replace(
        environment.info,
        started_time=datetime.now(UTC),
        start_to_close_timeout=timedelta(seconds=timeout_seconds),
    )
    return environment


async def send_sms(
    deps: Dependencies, request: SendSmsInput, timeout_seconds: float = 60.0
) -> SmsSent:
    activities = SmsActivities(deps.settings, deps.store, deps.sms, deps.report_waits)
    environment = await activity_environment(timeout_seconds)
    return await environment.run(activities.send_sms, request)


async def test_a_first_send_reaches_the_provider_once_and_completes_the_outbox(
    deps: Dependencies, sandbox: RunningSandbox
) -> None:
    sent = await send_sms(deps, sms_input())
    again = await send_sms(deps, sms_input())  # the activity retried after success

    assert not sent.deduplicated and again.deduplicated
    assert again.provider_message_id == sent.provider_message_id
    assert [m["sid"] for m in sandbox.messages(PHONE)] == [sent.provider_message_id]
    entry = deps.store.outbox.get(identity().message_key)
    assert entry is not None and entry.outbox_state == OutboxState.SENT


async def test_after_a_crash_mid_call_the_retry_adopts_the_providers_message(
    deps: Dependencies, sandbox: RunningSandbox
) -> None:
    # The crashed attempt: row claimed with its call recorded, the provider has the message.
    request = sms_input()
    crashed_mid_call(deps, request)
    earlier = sandbox.twilio_client().messages.create(
        to=PHONE, from_="+15005550006", body=request.body
    )

    sent = await send_sms(deps, request)

    assert sent.deduplicated and sent.provider_message_id == earlier.sid
    assert len(sandbox.messages(PHONE)) == 1


async def test_after_a_crash_before_the_provider_had_it_the_retry_sends(
    deps: Dependencies, sandbox: RunningSandbox
) -> None:
    request = sms_input()
    # The call never arrived, and its acceptance window has passed: the provider would
    # list the message by now if it had it.
    window = timedelta(seconds=deps.settings.sms_accept_window_seconds + 1)
    crashed_mid_call(deps, request, called_at=datetime.now(UTC) - window)

    sent = await send_sms(deps, request)

    assert not sent.deduplicated and sent.provider_calls == 2
    assert len(sandbox.messages(PHONE)) == 1


async def test_a_permanent_refusal_is_final_and_never_retried_at_the_provider(
    deps: Dependencies, sandbox: RunningSandbox
) -> None:
    sandbox.http.post(
        "/sandbox/rules", json={"to": PHONE, "api_error_status": 400, "api_error_code": 21211}
    )

    with pytest.raises(ApplicationError) as first:
        await send_sms(deps, sms_input())
    sandbox.http.put("/sandbox/rules", json=[])  # even if the number worked now...
    with pytest.raises(ApplicationError) as retry:
        await send_sms(deps, sms_input())

    assert first.value.type == REJECTED and first.value.non_retryable
    assert first.value.details[0]["code"] == "21211"
    assert retry.value.type == REJECTED  # ...a refused message stays refused
    assert sandbox.messages(PHONE) == []


async def test_rate_limits_and_outages_are_retryable(
    deps: Dependencies, sandbox: RunningSandbox
) -> None:
    for status, code in [(429, 20429), (503, 20503)]:
        sandbox.http.put(
            "/sandbox/rules",
            json=[{"to": PHONE, "api_error_status": status, "api_error_code": code}],
        )
        with pytest.raises(ApplicationError) as raised:
            await send_sms(deps, sms_input(body=f"try {status}"))
        assert raised.value.type == UNAVAILABLE and not raised.value.non_retryable
    sandbox.http.put("/sandbox/rules", json=[])
    sent = await send_sms(deps, sms_input(body="try 503"))
    assert len(sandbox.messages(PHONE)) == 1 and not sent.deduplicated


async def test_email_goes_out_once_over_smtp(deps: Dependencies, sandbox: RunningSandbox) -> None:
    activities = EmailActivities(deps.store, deps.email, "herald.example")
    request = SendEmailInput(identity=identity(Channel.EMAIL), event=order_event("shipped", "A1"))

    first = await ActivityEnvironment().run(activities.send_email, request)
    again = await ActivityEnvironment().run(activities.send_email, request)

    emails = sandbox.http.get("/sandbox/emails", params={"to": "ana@example.com"}).json()["emails"]
    assert len(emails) == 1 and "A1" in emails[0]["text"] and emails[0]["html"]
    assert again.deduplicated and again.message_id == first.message_id


async def test_push_uses_the_providers_idempotency_key(
    deps: Dependencies, sandbox: RunningSandbox
) -> None:
    activities = PushActivities(deps.store, deps.push)
    event = order_event("shipped", "A1", push_token="device-123")
    request = SendPushInput(identity=identity(Channel.PUSH), event=event)

    first = await ActivityEnvironment().run(activities.send_push, request)
    again = await ActivityEnvironment().run(activities.send_push, request)

    pushes = sandbox.http.get("/sandbox/push").json()["pushes"]
    assert len(pushes) == 1 and pushes[0]["token"] == "device-123"
    assert again.deduplicated and again.provider_message_id == first.provider_message_id


async def test_an_opted_out_number_is_refused_before_the_provider(
    deps: Dependencies, sandbox: RunningSandbox
) -> None:
    deps.store.consent.opt_out(PHONE, at=datetime.now(UTC), source="test", keyword="STOP")

    with pytest.raises(ApplicationError) as raised:
        await send_sms(deps, sms_input())

    assert raised.value.type == REJECTED and raised.value.details[0]["code"] == OPTED_OUT
    assert sandbox.messages(PHONE) == []


async def test_a_sender_at_its_daily_cap_hands_the_wait_to_the_workflow(
    deps: Dependencies, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from activities import sms

    capped = SenderLimit(messages_per_second=1000.0, daily_cap=1)
    monkeypatch.setattr(sms, "effective_sender_limit", lambda _settings: capped)
    await send_sms(deps, sms_input(body="first of the day"))

    with pytest.raises(ApplicationError) as raised:
        await send_sms(
            deps,
            sms_input(body="second of the day").model_copy(
                update={"identity": identity(reference="A2")}
            ),
        )

    assert raised.value.type == SENDER_BUSY
    assert raised.value.details[0]["retry_at"] > datetime.now(UTC).timestamp() + 60
    assert len(sandbox.messages(PHONE)) == 1
    # The refused message's row records no provider call: its retry (after midnight)
    # sends at once, without first asking the provider for a message that cannot exist.
    waiting = deps.store.outbox.get(identity(reference="A2").message_key)
    assert waiting is not None and waiting.provider_calls == 0


async def test_a_far_pacing_slot_is_reserved_once_and_its_wait_handed_to_the_workflow(
    deps: Dependencies, sandbox: RunningSandbox
) -> None:
    sender, now = deps.settings.sms_sender, datetime.now(UTC).timestamp()
    slow = 1 / 30  # a slot every 30 s: the second reservation is far away
    deps.store.sender_limiter.reserve(sender, slow, now)
    reserving = sms_input().model_copy(update={"reserve_slot": True})
    deps.settings.sms_sender_messages_per_second = slow / 0.97  # paced at 97% of the limit

    with pytest.raises(ApplicationError) as raised:
        await send_sms(deps, reserving)
    deps.settings.sms_sender_messages_per_second = 1000.0
    sent = await send_sms(deps, sms_input())  # the workflow's call once the slot has come

    assert raised.value.type == SENDER_BUSY and raised.value.details[0]["code"] == "pacing"
    assert raised.value.details[0]["retry_at"] > now + 25
    assert [m["sid"] for m in sandbox.messages(PHONE)] == [sent.provider_message_id]


# What activity.raise_complete_async() raises: the worker then leaves the activity open.
COMPLETES_ASYNC = activity._CompleteAsyncError


def waiting(request: SendSmsInput) -> SendSmsInput:
    return request.model_copy(update={"report_wait_seconds": 20.0})


async def test_a_send_that_waits_leaves_its_task_token_for_the_final_report(
    deps: Dependencies, sandbox: RunningSandbox
) -> None:
    with pytest.raises(COMPLETES_ASYNC):
        await send_sms(deps, waiting(sms_input()))

    [message] = sandbox.messages(PHONE)  # sent before it waits, and only once
    reported = deps.store.statuses.record(
        message["sid"], "delivered", None, datetime.now(UTC), final=True
    )
    assert reported is not None and reported.waiter == b"test"  # ActivityEnvironment's token


async def test_a_retried_send_that_waited_returns_the_report_or_leaves_it_to_a_signal(
    deps: Dependencies, sandbox: RunningSandbox
) -> None:
    with pytest.raises(COMPLETES_ASYNC):
        await send_sms(deps, waiting(sms_input()))  # attempt 1 waits; its wait times out

    before = await send_sms(deps, waiting(sms_input()))  # the retry: no second SMS
    sid = before.provider_message_id
    reported = deps.store.statuses.record(
        sid, "undelivered", "30003", datetime.now(UTC), final=True
    )
    after = await send_sms(deps, waiting(sms_input()))

    assert before.deduplicated and before.final_report is None
    assert reported is not None and reported.waiter is None  # nobody waits: it is signalled
    assert after.final_report is not None
    assert (after.final_report.status, after.final_report.error_code) == ("undelivered", "30003")
    assert len(sandbox.messages(PHONE)) == 1


async def test_a_send_that_does_not_wait_returns_on_the_accept(
    deps: Dependencies, sandbox: RunningSandbox
) -> None:
    sent = await send_sms(deps, sms_input())

    assert sent.final_report is None and sent.accepted_at is not None
    reported = deps.store.statuses.record(
        sent.provider_message_id, "delivered", None, datetime.now(UTC), final=True
    )
    assert reported is not None and reported.waiter is None


async def test_a_wait_is_cut_to_end_before_the_activitys_own_timeout() -> None:
    request = waiting(sms_input())

    roomy = (await activity_environment(60.0)).run(_report_wait_left, request)
    tight = (await activity_environment(5.0)).run(_report_wait_left, request)

    assert roomy == 20.0
    assert 5.0 - REPORT_WAIT_MARGIN_SECONDS - 1 < tight <= 5.0 - REPORT_WAIT_MARGIN_SECONDS


async def test_a_send_with_no_time_left_to_wait_returns_on_the_accept(
    deps: Dependencies, sandbox: RunningSandbox
) -> None:
    sent = await send_sms(deps, waiting(sms_input()), timeout_seconds=REPORT_WAIT_MARGIN_SECONDS)

    assert not sent.deduplicated and sent.final_report is None
    assert deps.report_waits.pending == 0
    reported = deps.store.statuses.record(
        sent.provider_message_id, "delivered", None, datetime.now(UTC), final=True
    )
    assert reported is not None and reported.waiter is None  # signalled to the workflow


async def end_wait_now(deps: Dependencies, sid: str, caplog: pytest.LogCaptureFixture) -> None:
    """End the send's own wait now, as its deadline would, and let its completion run."""
    accept = SmsSent(provider_message_id=sid, provider_calls=1, deduplicated=False)
    wait = ReportWait(await nowhere_client(), identity().message_key, b"test", accept)

    async def ended() -> None:
        assert deps.report_waits.pending == 0

    with caplog.at_level(logging.ERROR):
        deps.report_waits.end_after(wait, 0)  # replaces the 20 s deadline of the send
        await assert_eventually(ended, timeout=5.0, interval=0.01)
        await asyncio.sleep(0.2)  # the completion's RPC: this client cannot connect


async def test_a_wait_without_a_report_gives_its_token_up_and_completes_the_activity(
    deps: Dependencies, sandbox: RunningSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(COMPLETES_ASYNC):
        await send_sms(deps, waiting(sms_input()))
    [message] = sandbox.messages(PHONE)

    await end_wait_now(deps, message["sid"], caplog)
    reported = deps.store.statuses.record(
        message["sid"], "delivered", None, datetime.now(UTC), final=True
    )

    # It tried to complete the activity (this client reaches no server, so it logs why).
    assert "could not end the report wait" in caplog.text
    assert reported is not None and reported.waiter is None  # the report is signalled


async def test_a_wait_whose_report_came_leaves_the_completion_to_the_callback(
    deps: Dependencies, sandbox: RunningSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(COMPLETES_ASYNC):
        await send_sms(deps, waiting(sms_input()))
    [message] = sandbox.messages(PHONE)
    reported = deps.store.statuses.record(
        message["sid"], "delivered", None, datetime.now(UTC), final=True
    )

    await end_wait_now(deps, message["sid"], caplog)

    assert reported is not None and reported.waiter == b"test"  # the callback completes it
    assert "could not end the report wait" not in caplog.text  # the worker did not try
