"""keep_events: a kept event's tracking code is linked to its order in the transaction
that keeps the event, so a carrier's later report finds the order."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.events import Customer, MilestoneEvent, Shipment
from domain.milestones import Kind, Milestone
from intake.handoff import keep_events
from store.repository import Store

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def shipped(reference: str, shipment: Shipment | None) -> MilestoneEvent:
    return MilestoneEvent(
        event_id=f"{reference}:shipped",
        kind=Kind.ORDER,
        reference=reference,
        milestone=Milestone.SHIPPED,
        occurred_at=NOW,
        customer=Customer(name="Ada", phone="+14155550123"),
        shipment=shipment,
        merchant="scarves",
    )


def test_an_event_naming_a_tracking_code_links_it_to_the_order(store: Store) -> None:
    event = shipped("1001", Shipment(carrier="USPS", tracking_id="9400 1000 0000 0000 0000 00"))
    assert keep_events(store, "shopify", "shop-1", "w-1", [event], NOW) == (1, 0)
    found = store.tracked_shipments.find("9400100000000000000000")
    assert found is not None
    assert (found.workflow_id, found.kind, found.reference) == ("order-1001", "order", "1001")
    assert (found.source, found.account, found.merchant) == ("shopify", "shop-1", "scarves")
    # Redelivered: kept once, the link unchanged.
    assert keep_events(store, "shopify", "shop-1", "w-1", [event], NOW) == (0, 1)
    assert store.tracked_shipments.for_order("order-1001") == [found]


def test_events_without_a_tracking_code_link_nothing(store: Store) -> None:
    events = [shipped("1002", None), shipped("1003", Shipment(carrier="USPS"))]
    assert keep_events(store, "shopify", "shop-1", "w-2", events, NOW) == (2, 0)
    assert store.tracked_shipments.for_order("order-1002") == []
    assert store.tracked_shipments.for_order("order-1003") == []
