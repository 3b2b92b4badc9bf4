"""Notification types: what a milestone is about, and which ones the customer cannot mute."""

from __future__ import annotations

from domain.milestones import Milestone
from policy.rules import PolicyRules


class CriticalNotificationError(ValueError):
    """An attempt to turn off a notification type that always stays on."""


def notification_type_of(milestone: Milestone, rules: PolicyRules) -> str:
    return rules.type_of(milestone)


def is_critical(notification_type: str, rules: PolicyRules) -> bool:
    return rules.type_rule(notification_type).critical


def is_critical_milestone(milestone: Milestone, rules: PolicyRules) -> bool:
    return is_critical(rules.type_of(milestone), rules)


def critical_types(rules: PolicyRules) -> frozenset[str]:
    return frozenset(name for name, rule in rules.notification_types.items() if rule.critical)


def known_types(rules: PolicyRules) -> tuple[str, ...]:
    return tuple(sorted(rules.notification_types))


def ensure_can_turn_off(notification_type: str, critical: frozenset[str]) -> None:
    """Raise when ``notification_type`` is critical: delivery problems and refunds stay on."""
    if notification_type in critical:
        raise CriticalNotificationError(
            f"{notification_type} is a critical notification type and cannot be turned off"
        )


def milestones_of(notification_type: str, rules: PolicyRules) -> tuple[Milestone, ...]:
    return tuple(m for m, t in rules.milestone_types.items() if t == notification_type)
