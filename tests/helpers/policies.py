"""Send-policy rules for tests: every time-dependent rule off unless a test turns it on."""

from __future__ import annotations

from datetime import time

from policy.rules import CoalescingRule, PolicyRules, SendingWindow

ALWAYS_OPEN = SendingWindow(start=time(0, 0), end=time(23, 59, 59, 999999))


def permissive_rules(**changes: object) -> PolicyRules:
    """Defaults, but no quiet hours, no coalescing holds and no frequency caps."""
    rules = PolicyRules()
    types = {
        name: rule.model_copy(update={"frequency_cap": None})
        for name, rule in rules.notification_types.items()
    }
    coalescing = {
        milestone: CoalescingRule(hold_seconds=0, superseded_by=rule.superseded_by)
        for milestone, rule in rules.coalescing.items()
    }
    base = {"sending_window": ALWAYS_OPEN, "notification_types": types, "coalescing": coalescing}
    return rules.model_copy(update={**base, **changes})
