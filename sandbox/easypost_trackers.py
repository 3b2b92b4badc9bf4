"""EasyPost's trackers as the sandbox plays them (sandbox/easypost_api.py serves them): the
test tracking codes, the statuses a parcel goes through, and a tracker's JSON as EasyPost's
documentation shows it (``tracking_details`` empty while unknown, ``est_delivery_date``
from pre_transit on, ``signed_by`` once delivered, UTC times written ``...Z``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

# EasyPost's test tracking codes and the status each tracker starts in.
TEST_TRACKING_CODES: dict[str, str] = {
    "EZ1000000001": "pre_transit",
    "EZ2000000002": "in_transit",
    "EZ3000000003": "out_for_delivery",
    "EZ4000000004": "delivered",
    "EZ5000000005": "return_to_sender",
    "EZ6000000006": "failure",
    "EZ7000000007": "unknown",
}
STATUSES = (
    "unknown",
    "pre_transit",
    "in_transit",
    "out_for_delivery",
    "delivered",
    "available_for_pickup",
    "return_to_sender",
    "failure",
    "cancelled",
    "error",
)
# A parcel's usual life, for ``advance`` without a status.
NEXT_STATUS = {
    "unknown": "pre_transit",
    "pre_transit": "in_transit",
    "in_transit": "out_for_delivery",
    "out_for_delivery": "delivered",
}
DEFAULT_CARRIER = "USPS"  # what EasyPost detects for its EZ test codes
TRANSIT_DAYS = 3
_MESSAGES = {
    "unknown": "Awaiting carrier information",
    "pre_transit": "Shipping label created",
    "in_transit": "Arrived at sort facility",
    "out_for_delivery": "Out for delivery",
    "delivered": "Delivered",
    "available_for_pickup": "Available for pickup",
    "return_to_sender": "Returned to sender",
    "failure": "Delivery failed",
    "cancelled": "Shipment cancelled",
    "error": "Carrier error",
}


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def object_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


@dataclass
class SandboxTracker:
    id: str
    tracking_code: str
    carrier: str
    status: str
    created_at: datetime
    updated_at: datetime
    history: list[tuple[str, datetime]] = field(default_factory=list)  # (status, when)

    def as_json(self) -> dict[str, Any]:
        has_parcel = self.status != "unknown"
        return {
            "id": self.id,
            "object": "Tracker",
            "mode": "test",
            "tracking_code": self.tracking_code,
            "status": self.status,
            "status_detail": "status_update" if has_parcel else "unknown",
            "created_at": stamp(self.created_at),
            "updated_at": stamp(self.updated_at),
            "signed_by": "John Tester" if self.status == "delivered" else None,
            "weight": None,
            "est_delivery_date": (
                stamp(self.created_at + timedelta(days=TRANSIT_DAYS)) if has_parcel else None
            ),
            "shipment_id": None,
            "carrier": self.carrier,
            "tracking_details": [
                scan_detail(status, at, self.carrier) for status, at in self.history
            ],
            "carrier_detail": None,
            "finalized": True,
            "is_return": False,
            "public_url": f"https://track.easypost.test/{self.id}",
            "fees": [
                {
                    "object": "Fee",
                    "type": "TrackerFee",
                    "amount": "0.00000",
                    "charged": False,
                    "refunded": False,
                }
            ],
        }


def scan_detail(status: str, at: datetime, carrier: str) -> dict[str, Any]:
    return {
        "object": "TrackingDetail",
        "message": _MESSAGES.get(status, status),
        "description": None,
        "status": status,
        "status_detail": "status_update",
        "datetime": stamp(at),
        "source": carrier,
        "carrier_code": None,
        "tracking_location": {
            "object": "TrackingLocation",
            "city": None,
            "state": None,
            "country": None,
            "zip": None,
        },
    }


def life_until(status: str, now: datetime) -> list[tuple[str, datetime]]:
    """The scans a tracker starting in ``status`` has already seen (none while unknown),
    an hour apart, the last one now."""
    if status == "unknown":
        return []
    usual = [*list(NEXT_STATUS)[1:], "delivered"]  # pre_transit ... delivered
    steps = usual[: usual.index(status) + 1] if status in usual else [*usual[:2], status]
    return [(s, now - timedelta(hours=len(steps) - i - 1)) for i, s in enumerate(steps)]
