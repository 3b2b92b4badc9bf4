"""Exactly one SMS against Twilio's real semantics, which the sandbox follows.

A queued message has no ``date_sent`` (no ``DateSent`` filter finds it), a slow provider
takes a message after our client gave up, a trial account prefixes the body, an outage
refuses the connection: each retry below must find the earlier message or know there is
none, and never send a second SMS.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.exceptions import ApplicationError

from activities.delivery import AWAITING_PROVIDER, UNAVAILABLE
from activities.dependencies import Dependencies
from tests.activities.test_send_activities import PHONE, crashed_mid_call, send_sms, sms_input
from tests.sandbox.conftest import RunningSandbox

SENDER = "+15005550006"


async def test_a_retry_finds_the_first_message_while_it_is_still_queued(
    deps: Dependencies, sandbox: RunningSandbox
) -> None:
    sandbox.http.post("/sandbox/rules", json={"to": PHONE, "hold_queued_seconds": 30})
    request = sms_input()
    crashed_mid_call(deps, request)
    earlier = sandbox.twilio_client().messages.create(to=PHONE, from_=SENDER, body=request.body)
    assert sandbox.twilio_client().messages(earlier.sid).fetch().date_sent is None

    sent = await send_sms(deps, request)

    assert sent.deduplicated and sent.provider_message_id == earlier.sid
    assert len(sandbox.messages(PHONE)) == 1


async def test_a_slow_provider_gets_one_send_however_late_it_answers(
    deps: Dependencies, sandbox: RunningSandbox
) -> None:
    """The provider answers after 3 s; the attempt may wait 2 s (a 5 s timeout less its
    margin): the call is unanswered, the provider takes the message anyway, and the retry
    finds it instead of sending again."""
    sandbox.http.post(
        "/sandbox/rules", json={"to": PHONE, "latency_ms": 3000, "hold_queued_seconds": 30}
    )
    request = sms_input()

    with pytest.raises(ApplicationError) as unanswered:
        await send_sms(deps, request, timeout_seconds=5.0)
    started = time.monotonic()
    sent = await send_sms(deps, request, timeout_seconds=30.0)

    assert unanswered.value.type == UNAVAILABLE
    assert sent.deduplicated and time.monotonic() - started < 10
    assert [m["sid"] for m in sandbox.messages(PHONE)] == [sent.provider_message_id]


async def test_within_the_window_a_retry_keeps_looking_and_never_calls(
    deps: Dependencies, sandbox: RunningSandbox
) -> None:
    """The look-up outlasts the attempt: the workflow is told when the window ends and
    that the wait spent no provider try (the one earlier call is all there was)."""
    request = sms_input()
    called_at = datetime.now(UTC)
    crashed_mid_call(deps, request, called_at=called_at)  # nothing listed yet

    with pytest.raises(ApplicationError) as waiting:
        await send_sms(deps, request, timeout_seconds=6.0)

    assert waiting.value.type == AWAITING_PROVIDER and waiting.value.non_retryable
    detail = waiting.value.details[0]
    assert detail["code"] == "awaiting-provider" and detail["provider_calls"] == 1
    window = deps.settings.sms_accept_window_seconds
    assert detail["retry_at"] == pytest.approx(called_at.timestamp() + window, abs=0.01)
    assert sandbox.messages(PHONE) == []


async def test_an_outage_that_refused_the_connection_needs_no_look(
    deps: Dependencies, sandbox: RunningSandbox
) -> None:
    sandbox.http.put(
        "/sandbox/rules", json=[{"to": PHONE, "api_error_status": 503, "api_error_code": 20503}]
    )
    with pytest.raises(ApplicationError):
        await send_sms(deps, sms_input())
    sandbox.http.put("/sandbox/rules", json=[])
    started = time.monotonic()

    sent = await send_sms(deps, sms_input())  # an answer means "not created": no wait

    assert not sent.deduplicated and time.monotonic() - started < 3
    assert len(sandbox.messages(PHONE)) == 1


async def test_a_body_twilio_would_refuse_is_refused_without_a_call(
    deps: Dependencies, sandbox: RunningSandbox
) -> None:
    with pytest.raises(ApplicationError) as refused:
        await send_sms(deps, sms_input(body="x" * 1601))

    assert refused.value.non_retryable and refused.value.details[0]["code"] == "21617"
    assert sandbox.messages(PHONE) == []


def test_a_trial_accounts_prefix_still_matches_the_body() -> None:
    from providers.sms import TRIAL_PREFIX, ProviderMessage

    listed = ProviderMessage("SM1", PHONE, TRIAL_PREFIX + "Your order shipped", "queued", None)

    assert listed.carries("Your order shipped") and not listed.carries("Your order")


async def test_a_retry_never_adopts_another_messages_sms_with_the_same_text(
    deps: Dependencies, sandbox: RunningSandbox
) -> None:
    """Another order texted the same words to the same number a minute ago: that SMS is
    that order's, so this retry (whose call never arrived, long ago) sends its own."""
    from dataclasses import replace

    from tests.store.test_outbox import new_message

    request = sms_input()
    other = sandbox.twilio_client().messages.create(to=PHONE, from_=SENDER, body=request.body)
    other_key = "order-B2:shipped:1:sms"
    deps.store.outbox.claim(
        replace(new_message(other_key, recipient=PHONE), body=request.body),
        datetime.now(UTC),
        calling=True,
    )
    deps.store.outbox.complete(other_key, other.sid, datetime.now(UTC))
    window = timedelta(seconds=deps.settings.sms_accept_window_seconds + 1)
    crashed_mid_call(deps, request, called_at=datetime.now(UTC) - window)

    sent = await send_sms(deps, request)

    assert not sent.deduplicated and sent.provider_message_id != other.sid
    assert len(sandbox.messages(PHONE)) == 2
