"""config.policy: HERALD_* variables over the policy defaults."""

from datetime import time

import pytest
from pydantic import ValidationError

from config.policy import PolicySettings
from domain.milestones import Milestone
from policy.rules import OverCapAction, PolicyRules, SenderType


def settings() -> PolicySettings:
    return PolicySettings(_env_file=None)  # type: ignore[call-arg]


def test_without_variables_the_rules_are_the_defaults() -> None:
    assert settings().rules() == PolicyRules()


def test_json_and_nested_variables_override_single_entries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HERALD_SENDING_WINDOW", '{"start": "09:00", "end": "20:00"}')
    monkeypatch.setenv("HERALD_SENDING_WINDOWS_BY_COUNTRY__FR__END", "19:30")
    monkeypatch.setenv(
        "HERALD_NOTIFICATION_TYPES",
        '{"order_progress": {"frequency_cap": {"max_messages": 3, "over_cap": "drop"}}}',
    )
    monkeypatch.setenv("HERALD_SENDER_LIMITS__SHORT_CODE__MESSAGES_PER_SECOND", "30")
    monkeypatch.setenv("HERALD_COALESCING__OUT_FOR_DELIVERY__HOLD_SECONDS", "900")
    monkeypatch.setenv(
        "HERALD_COALESCING__OUT_FOR_DELIVERY__SUPERSEDED_BY", '["delivered", "exception"]'
    )

    rules = settings().rules()

    assert (rules.sending_window.start, rules.sending_window.end) == (time(9), time(20))
    assert rules.window_for("FR").end == time(19, 30)
    cap = rules.notification_types["order_progress"].frequency_cap
    assert cap is not None and (cap.max_messages, cap.over_cap) == (3, OverCapAction.DROP)
    assert rules.notification_types["refund"].critical
    assert rules.sender_limits[SenderType.SHORT_CODE].messages_per_second == 30
    assert rules.sender_limits[SenderType.TOLL_FREE].messages_per_second == 3
    assert rules.coalescing[Milestone.OUT_FOR_DELIVERY].hold_seconds == 900
    assert Milestone.INSPECTED in rules.coalescing


def test_a_bad_value_fails_at_start_not_at_send_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HERALD_MILESTONE_TYPES", '{"shipped": "marketing"}')

    with pytest.raises(ValidationError, match="marketing"):
        settings()
