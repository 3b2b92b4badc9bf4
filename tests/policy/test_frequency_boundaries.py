"""Frequency caps at their edges: a send stamped exactly now, exactly one window ago."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from policy.frequency import RecentSend, check_frequency
from policy.rules import FrequencyCap, NotificationTypeRule, PolicyRules

NOW = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
RULES = PolicyRules()  # order_progress: 4 per 24 h


def at(*moments: datetime, notification_type: str = "order_progress") -> list[RecentSend]:
    return [RecentSend(at=moment, notification_type=notification_type) for moment in moments]


def test_a_send_stamped_exactly_now_counts() -> None:
    recent = at(NOW, NOW - timedelta(hours=1), NOW - timedelta(hours=2), NOW - timedelta(hours=3))
    verdict = check_frequency("order_progress", recent, NOW, RULES)
    assert (verdict.allowed, verdict.counted) == (False, 4)
    assert verdict.frees_at == NOW + timedelta(hours=21)


def test_a_send_from_the_future_does_not_count() -> None:
    recent = at(NOW + timedelta(seconds=1), *(NOW - timedelta(hours=h) for h in (1, 2, 3)))
    verdict = check_frequency("order_progress", recent, NOW, RULES)
    assert (verdict.allowed, verdict.counted) == (True, 3)


def test_a_send_exactly_one_window_ago_has_left_it() -> None:
    day_ago = NOW - timedelta(hours=24)
    just_inside = day_ago + timedelta(microseconds=1)
    three = [NOW - timedelta(hours=h) for h in (1, 2, 3)]
    assert check_frequency("order_progress", at(day_ago, *three), NOW, RULES).counted == 3
    assert check_frequency("order_progress", at(just_inside, *three), NOW, RULES).counted == 4


def test_one_below_the_cap_is_allowed_with_its_count_and_cap() -> None:
    verdict = check_frequency("order_progress", at(NOW - timedelta(hours=1)), NOW, RULES)
    assert verdict.allowed and verdict.counted == 1
    assert verdict.cap == RULES.type_rule("order_progress").frequency_cap
    assert verdict.action is None and verdict.frees_at is None and verdict.reason == ""


def test_the_oldest_that_must_leave_decides_when_a_place_frees() -> None:
    cap_two = PolicyRules(
        notification_types={
            **PolicyRules().notification_types,
            "order_progress": NotificationTypeRule(
                frequency_cap=FrequencyCap(max_messages=2, window_seconds=3600)
            ),
        }
    )
    recent = at(*(NOW - timedelta(minutes=m) for m in (50, 10, 30)))  # unsorted on purpose
    verdict = check_frequency("order_progress", recent, NOW, cap_two)
    # Three inside, cap two: two must leave; the second oldest (30 min ago) frees a place.
    assert verdict.frees_at == NOW + timedelta(minutes=30)
    assert verdict.cap == cap_two.type_rule("order_progress").frequency_cap
    assert verdict.reason == "frequency cap: 3 messages to this number in the last 1h (cap 2)"


def test_windows_are_described_in_hours_minutes_or_seconds() -> None:
    def reason(seconds: float) -> str:
        rules = PolicyRules(
            notification_types={
                **PolicyRules().notification_types,
                "order_progress": NotificationTypeRule(
                    frequency_cap=FrequencyCap(max_messages=1, window_seconds=seconds)
                ),
            }
        )
        return check_frequency("order_progress", at(NOW), NOW, rules).reason

    assert reason(7200) == "frequency cap: 1 messages to this number in the last 2h (cap 1)"
    assert reason(5400) == "frequency cap: 1 messages to this number in the last 90min (cap 1)"
    assert reason(120) == "frequency cap: 1 messages to this number in the last 2min (cap 1)"
    assert reason(90) == "frequency cap: 1 messages to this number in the last 90s (cap 1)"
    assert reason(45) == "frequency cap: 1 messages to this number in the last 45s (cap 1)"


def test_a_retired_type_still_counts_and_a_critical_one_does_not() -> None:
    retired = at(*(NOW - timedelta(hours=h) for h in (1, 2, 3, 4)), notification_type="retired")
    assert not check_frequency("order_progress", retired, NOW, RULES).allowed
    critical = at(
        *(NOW - timedelta(hours=h) for h in (1, 2, 3, 4)), notification_type="delivery_exception"
    )
    verdict = check_frequency("order_progress", critical, NOW, RULES)
    assert (verdict.allowed, verdict.counted) == (True, 0)
    uncapped = check_frequency("delivery_exception", retired, NOW, RULES)
    assert (uncapped.allowed, uncapped.counted, uncapped.reason) == (True, 0, "not capped")
