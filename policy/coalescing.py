"""Coalescing: hold a milestone briefly when a newer one that makes it moot is likely.

"Out for delivery" followed minutes later by "delivered" is one piece of news: the
workflow holds the first for the configured window and, when a superseding milestone
arrives in time, sends only that one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from domain.milestones import Milestone
from policy.rules import CoalescingRule, PolicyRules


def coalescing_rule(milestone: Milestone, rules: PolicyRules) -> CoalescingRule | None:
    rule = rules.coalescing.get(milestone)
    return rule if rule is not None and rule.hold_seconds > 0 and rule.superseded_by else None


def hold_until(milestone: Milestone, received_at: datetime, rules: PolicyRules) -> datetime | None:
    """Until when to hold ``milestone`` received at ``received_at``; None: do not hold."""
    rule = coalescing_rule(milestone, rules)
    return None if rule is None else received_at + timedelta(seconds=rule.hold_seconds)


def supersedes(newer: Milestone, held: Milestone, rules: PolicyRules) -> bool:
    rule = rules.coalescing.get(held)
    return rule is not None and newer in rule.superseded_by


def superseding(
    held: Milestone, arrived_since: Iterable[Milestone], rules: PolicyRules
) -> Milestone | None:
    """The first milestone among ``arrived_since`` that makes ``held`` moot, if any."""
    return next((m for m in arrived_since if supersedes(m, held, rules)), None)
