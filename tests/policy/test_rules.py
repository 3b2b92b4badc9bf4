"""The policy's tunables: sensible defaults, overrides laid over them, bad values refused."""

from datetime import time

import pytest
from pydantic import ValidationError

from domain.milestones import Milestone
from policy.notification_types import critical_types, is_critical_milestone, milestones_of
from policy.rules import OverCapAction, PolicyRules, SenderType, SendingWindow


def test_every_milestone_has_a_type_and_the_critical_ones_are_the_bad_news() -> None:
    rules = PolicyRules()

    critical = {m for m in Milestone if is_critical_milestone(m, rules)}

    assert critical == {
        Milestone.DELIVERY_ATTEMPTED,
        Milestone.EXCEPTION,
        Milestone.REFUND_PROCESSED,
    }
    assert critical_types(rules) == {"delivery_exception", "refund"}
    assert milestones_of("delivery_exception", rules) == (
        Milestone.DELIVERY_ATTEMPTED,
        Milestone.EXCEPTION,
    )


def test_default_sender_limits_follow_the_provider() -> None:
    limits = PolicyRules().sender_limits

    assert limits[SenderType.LONG_CODE].messages_per_second == 1
    assert limits[SenderType.TOLL_FREE].messages_per_second == 3
    assert limits[SenderType.SHORT_CODE].messages_per_second == 100
    assert limits[SenderType.LONG_CODE].daily_cap == 2000


def test_a_configured_entry_replaces_only_its_own_default() -> None:
    rules = PolicyRules.model_validate(
        {
            "notification_types": {
                "order_progress": {"frequency_cap": {"max_messages": 2, "over_cap": "drop"}}
            },
            "sender_limits": {"short_code": {"messages_per_second": 30}},
            "coalescing": {"out_for_delivery": {"hold_seconds": 0}},
        }
    )

    cap = rules.notification_types["order_progress"].frequency_cap
    assert cap is not None and (cap.max_messages, cap.over_cap) == (2, OverCapAction.DROP)
    assert rules.notification_types["refund"].critical  # untouched default kept
    assert rules.sender_limits[SenderType.SHORT_CODE].messages_per_second == 30
    assert rules.sender_limits[SenderType.LONG_CODE].messages_per_second == 1
    assert Milestone.INSPECTED in rules.coalescing


def test_rules_survive_a_trip_through_json() -> None:
    rules = PolicyRules(sending_windows_by_country={"FR": SendingWindow(end=time(20))})

    assert PolicyRules.model_validate_json(rules.model_dump_json()) == rules


def test_a_milestone_mapped_to_an_undefined_type_is_refused() -> None:
    with pytest.raises(ValidationError, match="not defined: \\['marketing'\\]"):
        PolicyRules.model_validate({"milestone_types": {"shipped": "marketing"}})


def test_only_a_critical_type_may_override_quiet_hours() -> None:
    with pytest.raises(ValidationError, match="only a critical"):
        PolicyRules.model_validate(
            {"notification_types": {"order_progress": {"overrides_quiet_hours": True}}}
        )


def test_countries_are_iso_codes() -> None:
    with pytest.raises(ValidationError, match="alpha-2"):
        PolicyRules.model_validate({"sending_windows_by_country": {"usa": {}}})


def test_an_empty_sending_window_is_refused() -> None:
    with pytest.raises(ValidationError, match="different start and end"):
        SendingWindow(start=time(8), end=time(8))


def test_a_country_window_overrides_the_default() -> None:
    rules = PolicyRules(sending_windows_by_country={"FR": SendingWindow(end=time(20))})

    assert rules.window_for("FR").end == time(20)
    assert rules.window_for("US") == SendingWindow()
    assert rules.window_for(None) == SendingWindow()


@pytest.mark.parametrize(
    ("wall_clock", "inside"),
    [(time(7, 59, 59), False), (time(8), True), (time(20, 59, 59), True), (time(21), False)],
)
def test_a_window_includes_its_start_and_excludes_its_end(wall_clock: time, inside: bool) -> None:
    assert SendingWindow().contains(wall_clock) is inside


def test_a_window_may_wrap_past_midnight() -> None:
    night_shift = SendingWindow(start=time(22), end=time(2))

    assert night_shift.contains(time(23, 30))
    assert night_shift.contains(time(1, 59))
    assert not night_shift.contains(time(2))
    assert not night_shift.contains(time(12))
