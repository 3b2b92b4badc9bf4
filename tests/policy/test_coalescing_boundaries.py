"""Coalescing at its edges: no window, no superseding milestone, the first that counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.milestones import Milestone
from policy.coalescing import coalescing_rule, hold_until, supersedes, superseding
from policy.rules import CoalescingRule, PolicyRules

AT = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
OUT, DELIVERED, ATTEMPTED = (
    Milestone.OUT_FOR_DELIVERY,
    Milestone.DELIVERED,
    Milestone.DELIVERY_ATTEMPTED,
)


def rules(hold: float, superseded_by: tuple[Milestone, ...]) -> PolicyRules:
    return PolicyRules(
        coalescing={OUT: CoalescingRule(hold_seconds=hold, superseded_by=superseded_by)}
    )


def test_one_second_of_hold_is_a_hold() -> None:
    one = rules(1, (DELIVERED,))
    assert hold_until(OUT, AT, one) == AT + timedelta(seconds=1)
    assert coalescing_rule(OUT, one) == one.coalescing[OUT]


def test_nothing_to_wait_for_is_no_hold() -> None:
    nothing = rules(600, ())
    assert coalescing_rule(OUT, nothing) is None
    assert hold_until(OUT, AT, nothing) is None


def test_a_milestone_without_a_rule_is_never_superseded() -> None:
    assert not supersedes(DELIVERED, Milestone.SHIPPED, PolicyRules(coalescing={}))
    assert superseding(Milestone.SHIPPED, [DELIVERED], PolicyRules(coalescing={})) is None


def test_superseding_skips_what_does_not_count_and_returns_the_first_that_does() -> None:
    both = rules(600, (DELIVERED, ATTEMPTED))
    arrived = [Milestone.SHIPPED, ATTEMPTED, DELIVERED]
    assert superseding(OUT, arrived, both) is ATTEMPTED
    assert superseding(OUT, [Milestone.SHIPPED], both) is None
    assert superseding(OUT, [], both) is None
    assert supersedes(DELIVERED, OUT, both) and not supersedes(OUT, DELIVERED, both)


def test_zero_seconds_of_hold_is_no_hold_even_with_something_to_wait_for() -> None:
    zero = rules(0, (DELIVERED,))
    assert coalescing_rule(OUT, zero) is None
    assert hold_until(OUT, AT, zero) is None
    assert supersedes(DELIVERED, OUT, zero)  # the rule still says what supersedes
