"""Realistic OMS events for tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.events import Customer, MilestoneEvent, Refund, Shipment
from domain.milestones import Kind, Milestone

BASE_TIME = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
ORDER_PATH = ["confirmed", "shipped", "out_for_delivery", "delivered"]
RETURN_PATH = ["received", "inspected", "refund_processed", "resolved"]


def customer(**overrides: Any) -> Customer:
    values: dict[str, Any] = {
        "name": "Ana Souza",
        "phone": "+14155550167",
        "email": "ana@example.com",
        "locale": "en",
        "time_zone": "America/New_York",
    }
    values.update(overrides)
    return Customer(**values)


def order_event(
    milestone: str,
    reference: str | None = None,
    *,
    step: int = 0,
    event_id: str | None = None,
    kind: Kind = Kind.ORDER,
    **customer_overrides: Any,
) -> MilestoneEvent:
    reference = reference or uuid.uuid4().hex[:10]
    return MilestoneEvent(
        event_id=event_id or f"evt-{uuid.uuid4().hex[:12]}",
        kind=kind,
        reference=reference,
        milestone=Milestone(milestone),
        occurred_at=BASE_TIME + timedelta(hours=step),
        customer=customer(**customer_overrides),
        shipment=Shipment(
            carrier="UPS",
            tracking_id="1Z999AA10123456784",
            tracking_url="https://track.herald.example/1Z999AA10123456784",
            estimated_arrival=BASE_TIME + timedelta(days=2),
        )
        if kind is Kind.ORDER
        else None,
        refund=Refund(amount=Decimal("59.90"), currency="USD") if kind is Kind.RETURN else None,
    )


def return_event(milestone: str, reference: str | None = None, **kwargs: Any) -> MilestoneEvent:
    return order_event(milestone, reference, kind=Kind.RETURN, **kwargs)
