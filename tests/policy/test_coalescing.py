"""Coalescing: hold an earlier milestone briefly; a newer one in time replaces it."""

from datetime import UTC, datetime, timedelta

from domain.milestones import Milestone
from policy.coalescing import coalescing_rule, hold_until, supersedes, superseding
from policy.rules import PolicyRules

NOW = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
RULES = PolicyRules()


def test_out_for_delivery_waits_ten_minutes_for_its_outcome() -> None:
    assert hold_until(Milestone.OUT_FOR_DELIVERY, NOW, RULES) == NOW + timedelta(minutes=10)
    assert supersedes(Milestone.DELIVERED, Milestone.OUT_FOR_DELIVERY, RULES)
    assert supersedes(Milestone.DELIVERY_ATTEMPTED, Milestone.OUT_FOR_DELIVERY, RULES)


def test_milestones_without_a_rule_are_not_held() -> None:
    assert hold_until(Milestone.SHIPPED, NOW, RULES) is None
    assert not supersedes(Milestone.DELIVERED, Milestone.SHIPPED, RULES)


def test_superseding_picks_the_first_newer_milestone_that_counts() -> None:
    arrived = [Milestone.DELAYED, Milestone.DELIVERED, Milestone.EXCEPTION]

    assert superseding(Milestone.OUT_FOR_DELIVERY, arrived, RULES) is Milestone.DELIVERED
    assert superseding(Milestone.OUT_FOR_DELIVERY, [Milestone.DELAYED], RULES) is None


def test_a_zero_window_turns_coalescing_off() -> None:
    rules = PolicyRules.model_validate({"coalescing": {"out_for_delivery": {"hold_seconds": 0}}})

    assert coalescing_rule(Milestone.OUT_FOR_DELIVERY, rules) is None
    assert hold_until(Milestone.OUT_FOR_DELIVERY, NOW, rules) is None


def test_the_window_is_configurable() -> None:
    rules = PolicyRules.model_validate(
        {
            "coalescing": {
                "shipped": {"hold_seconds": 120, "superseded_by": ["out_for_delivery"]},
            }
        }
    )

    assert hold_until(Milestone.SHIPPED, NOW, rules) == NOW + timedelta(minutes=2)
    assert hold_until(Milestone.OUT_FOR_DELIVERY, NOW, rules) is not None  # default kept
