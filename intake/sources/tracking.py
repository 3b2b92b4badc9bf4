"""What every carrier tracker source shares (EasyPost, AfterShip, the poller): a tracker's
report, whichever aggregator sent it, to one order milestone event.

A tracker names a tracking code, never Herald's order: ``order_of`` finds the order the
code ships (store/tracked_shipments.py), ``customer_of`` the customer that order's latest
event named. The event id comes from the order and the milestone, never from the tracker
or the source (as Shopify's, intake/sources/shopify.py), so a delivery reported by
Shopify's fulfillment event, an EasyPost webhook and the poller is one milestone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from pydantic import ValidationError

from domain.events import Customer, DeliveryProblem, MilestoneEvent, Shipment
from domain.milestones import REPEATABLE_MILESTONES, Kind, Milestone
from intake.carrier_statuses import StatusMeaning
from intake.source import NAMELESS_CUSTOMER, IntakeRefused, priority_of
from intake.validation import read_phone, valid_email

_PROBLEM_OF: dict[Milestone, DeliveryProblem] = {
    Milestone.DELAYED: DeliveryProblem.DELAYED,
    Milestone.DELIVERY_ATTEMPTED: DeliveryProblem.DELIVERY_ATTEMPTED,
}
DETAIL_MAX = 500


class ShipmentOrder(Protocol):
    """The order a tracking code ships (store.tracked_shipments.ShipmentLink is one)."""

    @property
    def kind(self) -> str: ...
    @property
    def reference(self) -> str: ...
    @property
    def workflow_id(self) -> str: ...
    @property
    def merchant(self) -> str | None: ...


# (tracking code, carrier) -> the order it ships; None: no source named the code yet.
OrderLookup = Callable[[str, str | None], ShipmentOrder | None]
# workflow id -> the customer its latest event named.
CustomerLookup = Callable[[str], Customer | None]


@dataclass(frozen=True)
class TrackerReport:
    """One tracker's current state, read from its aggregator's shape."""

    described: str  # e.g. "EasyPost tracker trk_1 (status in_transit/weather_delay)"
    tracking_code: str
    carrier: str | None
    meaning: StatusMeaning
    occurred_at: datetime
    # For a repeatable milestone: what tells this delay from the next (the first scan of
    # the current run of that status), so a re-sent update is the same event.
    repeat_key: str | None = None
    tracking_url: str | None = None
    estimated_arrival: datetime | None = None
    detail: str | None = None  # the carrier's message, for problems


def ships_for(order: ShipmentOrder, merchant: str | None) -> bool:
    """Whether a tracker account of ``merchant`` may report on ``order``'s shipment: a
    signed webhook proves which account sent it, not that the tracking code is its
    merchant's. Several merchants on one Herald: a code linked to another merchant's order
    is not this account's to report (either side naming no merchant: one tenant)."""
    return merchant is None or order.merchant is None or order.merchant == merchant


def milestone_event_id(reference: str, milestone: Milestone, repeat_key: str | None) -> str:
    """``<order>:<milestone>`` (Shopify's form), ``:<key>`` only for repeatable ones."""
    base = f"{reference}:{milestone.value}"
    return f"{base}:{repeat_key}" if repeat_key else base


def tracker_event(
    report: TrackerReport,
    milestone: Milestone,
    order: ShipmentOrder,
    customer: Customer,
    merchant: str | None,
) -> MilestoneEvent:
    """The milestone event, or IntakeRefused naming what made it invalid."""
    problem = report.meaning.problem or _PROBLEM_OF.get(milestone)
    repeat_key = report.repeat_key if milestone in REPEATABLE_MILESTONES else None
    detail = report.detail[:DETAIL_MAX] if report.detail and problem else None
    try:
        return MilestoneEvent(
            event_id=milestone_event_id(order.reference, milestone, repeat_key),
            kind=Kind.ORDER,
            reference=order.reference,
            milestone=milestone,
            occurred_at=report.occurred_at,
            customer=customer,
            shipment=Shipment(
                carrier=report.carrier,
                tracking_id=report.tracking_code,
                tracking_url=report.tracking_url,
                estimated_arrival=report.estimated_arrival,
            ),
            merchant=order.merchant or merchant,
            detail=detail,
            problem=problem,
        )
    except ValidationError as exc:
        raise IntakeRefused(
            f"{report.described} for order {order.reference} is no valid milestone event: {exc}",
            priority_of(milestone),
        ) from exc


def contact_customer(
    *,
    name: str | None,
    phones: list[Any],
    emails: list[Any],
    region: str | None,
    locale: str,
    time_zone: str,
) -> Customer | None:
    """The first usable phone and e-mail a tracker carries; a bad one is dropped, not the
    customer. None: nothing reachable."""
    phone = next(
        (p for p in (read_phone(raw, [region]) for raw in phones if isinstance(raw, str)) if p),
        None,
    )
    email = next((e for e in emails if isinstance(e, str) and valid_email(e.strip())), None)
    if not (phone or email):
        return None
    return Customer(
        name=(name or NAMELESS_CUSTOMER)[:200],
        phone=phone,
        email=email.strip() if email else None,
        locale=locale,
        time_zone=time_zone,
    )


Scan = tuple[datetime, Mapping[str, Any]]  # a carrier's scan and when it happened


def timed_scans(scans: Any, time_field: str) -> list[Scan]:
    """A tracker's scans (EasyPost's tracking details, AfterShip's checkpoints) that have a
    valid time, oldest first: a scan without one cannot be placed and is passed over."""
    if not isinstance(scans, list):
        return []
    timed = [
        (when, scan)
        for scan in scans
        if isinstance(scan, Mapping) and (when := moment(scan.get(time_field))) is not None
    ]
    return sorted(timed, key=lambda item: item[0])


def current_run(scans: list[Scan], says_it: Callable[[Mapping[str, Any]], bool]) -> list[Scan]:
    """The latest scans that say what the tracker says now (``says_it``), oldest first:
    the first is when this state began (a delay's identity), the last when it was seen."""
    run: list[Scan] = []
    for scan in reversed(scans):
        if not says_it(scan[1]):
            break
        run.append(scan)
    return run[::-1]


def run_key(began: datetime) -> str:
    """A repeatable milestone's ``repeat_key`` (a delay, a failed attempt): the UTC day it
    was first reported. Every source names one problem by its day (a tracker by its run
    of scans' first, Shopify by its fulfillment event's time), so the same delay reported
    by Shopify and by a carrier's tracker is one milestone, and one message; a problem
    reported on a later day is news. Two delays on one day are told once."""
    return began.astimezone(UTC).strftime("%Y%m%d")


def moment(value: Any) -> datetime | None:
    """An ISO 8601 time with its offset (``Z`` too); one without an offset is no time."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def text(payload: Mapping[str, Any], key: str) -> str | None:
    value = payload.get(key)
    return value.strip() or None if isinstance(value, str) else None
