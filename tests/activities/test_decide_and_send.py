"""The activity that decides a milestone's SMS and sends it: real store, real sandbox.

What it returns for each decision and each way the send can end. It never raises for a
refusal, a busy sender or a provider error: the decision must reach the workflow.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from activities.decide_and_send import DecideAndSendActivities, DecideAndSendInput, DecidedSms
from activities.delivery import OPTED_OUT, REJECTED, UNAVAILABLE
from activities.dependencies import Dependencies
from activities.policy_facts import PolicyFactsActivities
from activities.render import SmsRenderer
from activities.sms import SmsActivities
from domain.events import MilestoneEvent
from domain.timeline import Channel
from policy.decision import PolicyAction, PolicyRule
from policy.duplicates import notified_milestone
from policy.evaluate import PolicyRequest
from tests.activities.test_send_activities import (
    COMPLETES_ASYNC,
    PHONE,
    activity_environment,
    identity,
)
from tests.helpers.events import order_event
from tests.helpers.policies import permissive_rules
from tests.sandbox.conftest import RunningSandbox


def shipped(email: str | None = None) -> MilestoneEvent:
    return order_event("shipped", "A1", phone=PHONE, email=email)


def asking(
    event: MilestoneEvent, *, notified: bool = False, wait: float = 0.0
) -> DecideAndSendInput:
    customer = event.customer
    return DecideAndSendInput(
        identity=identity(),
        event=event,
        policy=PolicyRequest(
            candidate=notified_milestone(event),
            received_at=datetime.now(UTC),
            phone=customer.phone,
            has_email=customer.email is not None,
            has_push=customer.push_token is not None,
            profile_time_zone="UTC",
            notified=(notified_milestone(event),) if notified else (),
        ),
        report_wait_seconds=wait,
    )


async def decide_and_send(deps: Dependencies, request: DecideAndSendInput) -> DecidedSms:
    renderer = SmsRenderer(deps.store, None, deps.conversation)
    sms = SmsActivities(deps.settings, deps.store, deps.sms, deps.report_waits)
    facts = PolicyFactsActivities(deps.store, renderer)
    # The policy's clock-bound rules have tests of their own: these run at any hour.
    activities = DecideAndSendActivities(facts, sms, rules=permissive_rules)
    environment = await activity_environment()
    return await environment.run(activities.decide_and_send_sms, request)


async def test_an_sms_within_every_rule_is_decided_sent_once_and_both_come_back(
    deps: Dependencies, sandbox: RunningSandbox
) -> None:
    decided = await decide_and_send(deps, asking(shipped()))

    assert decided.decision is not None and decided.decision.action is PolicyAction.SEND
    assert decided.sends_sms and decided.error is None
    [message] = sandbox.messages(PHONE)
    assert decided.provider_message_id == message["sid"] and decided.body == message["body"]
    assert decided.segments == 1 and decided.sent() is not None


async def test_a_decision_against_the_sms_sends_nothing_and_claims_no_outbox_row(
    deps: Dependencies, sandbox: RunningSandbox
) -> None:
    decided = await decide_and_send(deps, asking(shipped(), notified=True))  # a repeat

    assert decided.decision is not None and decided.decision.rule is PolicyRule.DUPLICATE
    assert not decided.sends_sms and decided.provider_message_id is None
    assert sandbox.messages(PHONE) == []
    assert deps.store.outbox.get(identity().message_key) is None


async def test_an_opted_out_number_is_decided_to_e_mail_and_never_texted(
    deps: Dependencies, sandbox: RunningSandbox
) -> None:
    deps.store.consent.opt_out(PHONE, at=datetime.now(UTC), source="test", keyword="STOP")

    decided = await decide_and_send(deps, asking(shipped(email="ann@example.com")))

    assert decided.decision is not None and decided.decision.channels == (Channel.EMAIL,)
    assert not decided.sends_sms and sandbox.messages(PHONE) == []


async def test_a_refusal_and_an_outage_come_back_as_data_beside_the_decision(
    deps: Dependencies, sandbox: RunningSandbox
) -> None:
    sandbox.http.put(
        "/sandbox/rules", json=[{"to": PHONE, "api_error_status": 503, "api_error_code": 20503}]
    )
    outage = await decide_and_send(deps, asking(shipped()))
    sandbox.http.put(
        "/sandbox/rules", json=[{"to": PHONE, "api_error_status": 400, "api_error_code": 21211}]
    )
    refusal = await decide_and_send(deps, asking(shipped()))  # the retry's row: called once

    assert outage.decision is not None and outage.decision.action is PolicyAction.SEND
    assert outage.error is not None and outage.error.type == UNAVAILABLE
    assert refusal.error is not None and refusal.error.type == REJECTED
    assert refusal.error.code == "21211" and refusal.provider_message_id is None
    assert sandbox.messages(PHONE) == []


async def test_a_stop_after_the_decision_is_still_honoured_by_the_send(
    deps: Dependencies, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The consent read and the send's own consent check are apart: a STOP in between."""
    from activities import decide_and_send as module

    decide = module.decide

    def decide_then_stop(*args: object, **kwargs: object) -> object:
        decision = decide(*args, **kwargs)  # type: ignore[arg-type]
        deps.store.consent.opt_out(PHONE, at=datetime.now(UTC), source="test", keyword="STOP")
        return decision

    monkeypatch.setattr(module, "decide", decide_then_stop)
    decided = await decide_and_send(deps, asking(shipped()))

    assert decided.error is not None and decided.error.code == OPTED_OUT
    assert sandbox.messages(PHONE) == []


async def test_a_send_that_waits_completes_with_its_decision_when_no_report_comes(
    deps: Dependencies, sandbox: RunningSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(COMPLETES_ASYNC):
        await decide_and_send(deps, asking(shipped(), wait=20.0))

    [(wait, _timer)] = deps.report_waits._timers.values()
    assert isinstance(wait.result, DecidedSms)  # what the worker completes it with
    assert wait.result.decision is not None and wait.result.decision.action is PolicyAction.SEND
    assert wait.result.provider_message_id == sandbox.messages(PHONE)[0]["sid"]
    with caplog.at_level(logging.ERROR):
        await deps.report_waits.release_all()  # this test's client reaches no server
