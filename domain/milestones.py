"""The milestones an OMS signals, their order, and which ones end a conversation."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    ORDER = "order"
    RETURN = "return"


class Milestone(StrEnum):
    # Orders
    CONFIRMED = "confirmed"
    SHIPPED = "shipped"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERY_ATTEMPTED = "delivery_attempted"
    DELAYED = "delayed"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    # Returns
    RECEIVED = "received"
    INSPECTED = "inspected"
    REFUND_PROCESSED = "refund_processed"
    RESOLVED = "resolved"


MILESTONES_BY_KIND: dict[Kind, tuple[Milestone, ...]] = {
    Kind.ORDER: (
        Milestone.CONFIRMED,
        Milestone.SHIPPED,
        Milestone.OUT_FOR_DELIVERY,
        Milestone.DELIVERY_ATTEMPTED,
        Milestone.DELAYED,
        Milestone.DELIVERED,
        Milestone.EXCEPTION,
    ),
    Kind.RETURN: (
        Milestone.RECEIVED,
        Milestone.INSPECTED,
        Milestone.REFUND_PROCESSED,
        Milestone.RESOLVED,
    ),
}

# Progress milestones move forward only: once one is notified, no lower one is sent.
# Milestones absent here (delays, attempts, exceptions) can happen at any point before
# the terminal one, so only their event time decides whether they are stale.
PROGRESS_RANK: dict[Milestone, int] = {
    Milestone.CONFIRMED: 10,
    Milestone.SHIPPED: 20,
    Milestone.OUT_FOR_DELIVERY: 30,
    Milestone.DELIVERED: 40,
    Milestone.RECEIVED: 10,
    Milestone.INSPECTED: 20,
    Milestone.REFUND_PROCESSED: 30,
    Milestone.RESOLVED: 40,
}

TERMINAL_MILESTONES: frozenset[Milestone] = frozenset({Milestone.DELIVERED, Milestone.RESOLVED})
# Milestones that can happen more than once to one order (a second delay is news): a
# source's event id for them adds what tells one occurrence from the next.
REPEATABLE_MILESTONES: frozenset[Milestone] = frozenset(
    {Milestone.DELAYED, Milestone.DELIVERY_ATTEMPTED}
)


def workflow_id_for(kind: Kind, reference: str) -> str:
    """The one workflow id per order (``order-<id>``) or return (``return-<id>``)."""
    return f"{kind.value}-{reference}"
