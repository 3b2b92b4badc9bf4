"""Frequency caps: N non-critical messages per number per rolling window."""

from datetime import UTC, datetime, timedelta

import pytest

from policy.frequency import RecentSend, check_frequency
from policy.rules import OverCapAction, PolicyRules, UnknownNotificationType

NOW = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
RULES = PolicyRules()  # order_progress: 4 per 24 h, merged


def sends(*hours_ago: float, notification_type: str = "order_progress") -> list[RecentSend]:
    return [
        RecentSend(at=NOW - timedelta(hours=h), notification_type=notification_type)
        for h in hours_ago
    ]


def test_under_the_cap_is_allowed() -> None:
    verdict = check_frequency("order_progress", sends(1, 2, 3), NOW, RULES)

    assert verdict.allowed
    assert verdict.counted == 3


def test_at_the_cap_merges_and_says_when_a_place_frees() -> None:
    verdict = check_frequency("order_progress", sends(1, 2, 3, 20), NOW, RULES)

    assert not verdict.allowed
    assert verdict.action is OverCapAction.MERGE
    assert verdict.frees_at == NOW + timedelta(hours=4)  # the 20-hours-old one leaves
    assert verdict.reason == "frequency cap: 4 messages to this number in the last 24h (cap 4)"


def test_well_over_the_cap_waits_for_enough_to_leave() -> None:
    verdict = check_frequency("order_progress", sends(1, 2, 3, 4, 5, 23), NOW, RULES)

    # Six inside the window, cap four: three must leave; the third oldest is 4 hours old.
    assert verdict.frees_at == NOW + timedelta(hours=20)


def test_the_window_rolls() -> None:
    assert check_frequency("order_progress", sends(1, 2, 3, 24), NOW, RULES).allowed
    assert not check_frequency("order_progress", sends(1, 2, 3, 23.99), NOW, RULES).allowed


def test_sends_of_every_non_critical_type_count() -> None:
    recent = sends(1, 2) + sends(3, 4, notification_type="delivery_delay")

    assert not check_frequency("order_progress", recent, NOW, RULES).allowed


def test_critical_messages_neither_count_nor_get_capped() -> None:
    critical = sends(1, 2, 3, 4, 5, notification_type="delivery_exception")

    assert check_frequency("order_progress", critical, NOW, RULES).allowed
    assert check_frequency("refund", sends(1, 2, 3, 4, 5), NOW, RULES).allowed


def test_a_type_can_drop_instead_of_merging() -> None:
    rules = PolicyRules.model_validate(
        {
            "notification_types": {
                "delivery_delay": {"frequency_cap": {"max_messages": 1, "over_cap": "drop"}}
            }
        }
    )

    verdict = check_frequency("delivery_delay", sends(1), NOW, rules)

    assert verdict.action is OverCapAction.DROP


def test_a_short_window_is_described_in_minutes() -> None:
    rules = PolicyRules.model_validate(
        {
            "notification_types": {
                "order_progress": {"frequency_cap": {"max_messages": 1, "window_seconds": 900}}
            }
        }
    )

    verdict = check_frequency("order_progress", sends(0.1), NOW, rules)

    assert "in the last 15min" in verdict.reason


def test_a_type_without_a_cap_is_never_capped() -> None:
    rules = PolicyRules.model_validate(
        {"notification_types": {"order_progress": {"frequency_cap": None}}}
    )

    assert check_frequency("order_progress", sends(*range(10)), NOW, rules).allowed


def test_an_unknown_type_is_an_error() -> None:
    with pytest.raises(UnknownNotificationType):
        check_frequency("marketing", [], NOW, RULES)
