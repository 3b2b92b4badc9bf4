"""The decision model: what each action needs, and how it reads."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from domain.timeline import Channel
from policy.decision import (
    PolicyAction,
    PolicyDecision,
    PolicyRule,
    hold,
    merge_into_next,
    send_now,
    suppress,
)

AT = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)


def test_the_constructors() -> None:
    assert send_now((Channel.SMS,), (Channel.EMAIL,)).sends
    assert hold(AT, PolicyRule.QUIET_HOURS, "night").hold_until == AT
    assert merge_into_next(PolicyRule.SUPERSEDED, "merged", None).action is PolicyAction.MERGE
    assert not suppress(PolicyRule.CONSENT, "STOP").sends


def test_a_hold_without_a_time_is_refused() -> None:
    with pytest.raises(ValidationError, match="hold_until"):
        PolicyDecision(action=PolicyAction.HOLD, reason="why")


def test_a_send_without_a_channel_is_refused() -> None:
    with pytest.raises(ValidationError, match="channel"):
        PolicyDecision(action=PolicyAction.SEND, reason="why")


def test_a_naive_hold_time_is_refused() -> None:
    with pytest.raises(ValidationError):
        hold(datetime(2026, 3, 14, 12), PolicyRule.QUIET_HOURS, "night")


def test_decisions_round_trip_through_json_for_workflow_history() -> None:
    decision = hold(AT, PolicyRule.COALESCING, "holding out_for_delivery")

    assert PolicyDecision.model_validate_json(decision.model_dump_json()) == decision
