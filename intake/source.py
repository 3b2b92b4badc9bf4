"""What every source's mapping returns, and how it refuses a payload.

A source module turns one payload into zero or more canonical milestone events
(domain/events.py). What is usable but incomplete goes through with what it has; only a
payload that cannot be notified is refused, with a reason a person can act on and a
priority that ranks it among the dead letters (critical milestones first).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from domain.events import MilestoneEvent
from domain.milestones import Milestone

# Customer.name is required, and some payloads have none (Shopify's guest checkouts, an OMS
# that never asked): the templates greet without a name rather than the event being lost.
NAMELESS_CUSTOMER = "customer"

# Dead letters are ranked by what a lost event would cost the customer.
PRIORITY_CRITICAL = 100  # a delivery problem or a refund nobody hears of
PRIORITY_NORMAL = 50
PRIORITY_LOW = 10  # a payload too broken to tell what it was
CRITICAL_MILESTONES = frozenset(
    {
        Milestone.DELAYED,
        Milestone.DELIVERY_ATTEMPTED,
        Milestone.EXCEPTION,
        Milestone.REFUND_PROCESSED,
    }
)


def priority_of(milestone: Milestone | None) -> int:
    if milestone is None:
        return PRIORITY_LOW
    return PRIORITY_CRITICAL if milestone in CRITICAL_MILESTONES else PRIORITY_NORMAL


class IntakeRefused(ValueError):
    """The payload cannot be notified: kept as a dead letter with this reason."""

    def __init__(self, reason: str, priority: int = PRIORITY_LOW) -> None:
        super().__init__(reason)
        self.reason = reason
        self.priority = priority


@dataclass(frozen=True)
class Mapped:
    """A payload's milestone events (none: nothing a customer needs to hear)."""

    events: list[MilestoneEvent] = field(default_factory=list)
    ignored: str | None = None  # why nothing came of it, for the log


def parse_json(raw: bytes) -> Any:
    """The body as JSON, or a refusal that says where it broke."""
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise IntakeRefused(f"the body is not JSON: {exc}") from exc
