"""Which order a carrier's tracking code ships: a tracker webhook (EasyPost, AfterShip)
names only the code and the carrier, never Herald's order or its customer.

A link is written by the intake (intake/handoff.py ``keep_events``) in the transaction that
keeps an event whose shipment has a tracking code, so a tracker's report that follows a
Shopify fulfillment (or any source's shipped event) finds its order. The customer is not
copied here: it is the order's latest event in the inbox (store/intake_inbox.py), which
stays sealed there.

Carriers spell themselves differently per source (Shopify's ``DHL Express``, EasyPost's
``DHLExpress``, AfterShip's ``dhl``), so the carrier is kept as a key (lower case, letters
and digits) and a look-up by code alone finds the one shipment with that code; the
carrier only decides between two shipments that share a code. Tracking codes are kept
upper case without spaces, as carriers print them in either form.

Once an EasyPost tracker follows a code, its id is recorded (``attach_tracker``) so the
poller asks EasyPost about that tracker rather than creating a second one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, Row, select, update

from store.database import dialect_insert
from store.intake_tables import TrackedShipmentRow

SHIPMENTS = TrackedShipmentRow.__table__
TRACKING_CODE_MAX = 100
CARRIER_KEY_MAX = 60


def carrier_key(carrier: str | None) -> str:
    """``DHL Express``, ``DHLExpress`` and ``dhl-express`` are one carrier: ``dhlexpress``
    ('' unknown)."""
    if not carrier:
        return ""
    return "".join(c for c in carrier.lower() if c.isascii() and c.isalnum())[:CARRIER_KEY_MAX]


def tracking_key(code: str) -> str:
    """``1z 999 aa1`` and ``1Z999AA1`` are one code."""
    return "".join(code.split()).upper()


@dataclass(frozen=True)
class ShipmentLink:
    """A tracking code and the order it ships."""

    tracking_code: str
    carrier: str  # carrier_key(...): '' unknown
    kind: str
    reference: str
    workflow_id: str
    source: str  # the intake source that named the code last
    account: str
    merchant: str | None = None
    easypost_tracker_id: str | None = None

    @classmethod
    def of(
        cls,
        *,
        tracking_code: str,
        carrier: str | None,
        kind: str,
        reference: str,
        workflow_id: str,
        source: str,
        account: str,
        merchant: str | None = None,
    ) -> ShipmentLink:
        """A link with its code and carrier in their stored form."""
        return cls(
            tracking_code=tracking_key(tracking_code),
            carrier=carrier_key(carrier),
            kind=kind,
            reference=reference,
            workflow_id=workflow_id,
            source=source,
            account=account,
            merchant=merchant,
        )


class TrackedShipments:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, links: Sequence[ShipmentLink], now: datetime) -> None:
        with self._engine.begin() as connection:
            self.record_in(connection, links, now)

    def record_in(
        self, connection: Connection, links: Sequence[ShipmentLink], now: datetime
    ) -> None:
        """Upsert in the caller's transaction: a code already linked moves to the order
        named last (a carrier may reuse a code, months later) and keeps its tracker id.

        A code longer than a carrier's (over 100 characters) is no tracking code: skipped,
        not failing the caller's events with it.
        """
        insert = dialect_insert(connection.dialect.name)
        # One statement per code: PostgreSQL refuses an upsert touching a row twice.
        unique = {(link.tracking_code, link.carrier): link for link in links}
        for link in unique.values():
            if not link.tracking_code or len(link.tracking_code) > TRACKING_CODE_MAX:
                continue
            order = {
                "kind": link.kind,
                "reference": link.reference,
                "workflow_id": link.workflow_id,
                "source": link.source,
                "account": link.account,
                "merchant": link.merchant,
                "updated_at": now,
            }
            statement = (
                insert(SHIPMENTS)
                .values(
                    tracking_code=link.tracking_code,
                    carrier=link.carrier,
                    recorded_at=now,
                    **order,
                )
                .on_conflict_do_update(
                    index_elements=[SHIPMENTS.c.tracking_code, SHIPMENTS.c.carrier], set_=order
                )
            )
            connection.execute(statement)

    def find(self, tracking_code: str, carrier: str | None = None) -> ShipmentLink | None:
        """The shipment with this code: the one with the carrier's key when two share the
        code, else the one named last; None: no source named this code yet."""
        statement = (
            select(*SHIPMENTS.c)
            .where(SHIPMENTS.c.tracking_code == tracking_key(tracking_code))
            .order_by(SHIPMENTS.c.updated_at.desc(), SHIPMENTS.c.id.desc())
        )
        with self._engine.connect() as connection:
            rows = connection.execute(statement).all()
        if not rows:
            return None
        wanted = carrier_key(carrier)
        chosen = next((row for row in rows if wanted and row.carrier == wanted), rows[0])
        return _link(chosen)

    def by_tracker(self, tracker_id: str) -> ShipmentLink | None:
        statement = select(*SHIPMENTS.c).where(SHIPMENTS.c.easypost_tracker_id == tracker_id)
        with self._engine.connect() as connection:
            row = connection.execute(statement).first()
        return None if row is None else _link(row)

    def for_order(self, workflow_id: str) -> list[ShipmentLink]:
        statement = (
            select(*SHIPMENTS.c)
            .where(SHIPMENTS.c.workflow_id == workflow_id)
            .order_by(SHIPMENTS.c.id)
        )
        with self._engine.connect() as connection:
            return [_link(row) for row in connection.execute(statement)]

    def without_tracker(self, limit: int) -> list[ShipmentLink]:
        """Shipments no EasyPost tracker follows yet, oldest first."""
        statement = (
            select(*SHIPMENTS.c)
            .where(SHIPMENTS.c.easypost_tracker_id.is_(None))
            .order_by(SHIPMENTS.c.id)
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return [_link(row) for row in connection.execute(statement)]

    def attach_tracker(self, tracking_code: str, carrier: str | None, tracker_id: str) -> bool:
        """Record that EasyPost tracker ``tracker_id`` follows this code; False: no source
        named the code yet (nothing written). Idempotent; a tracker id recorded on another
        shipment moves here (the id is unique, and EasyPost's word on its own tracker
        wins)."""
        link = self.find(tracking_code, carrier)
        if link is None:
            return False
        code = SHIPMENTS.c.tracking_code
        with self._engine.begin() as connection:
            connection.execute(
                update(SHIPMENTS)
                .where(
                    SHIPMENTS.c.easypost_tracker_id == tracker_id,
                    (code != link.tracking_code) | (SHIPMENTS.c.carrier != link.carrier),
                )
                .values(easypost_tracker_id=None)
            )
            connection.execute(
                update(SHIPMENTS)
                .where(code == link.tracking_code, SHIPMENTS.c.carrier == link.carrier)
                .values(easypost_tracker_id=tracker_id)
            )
        return True


def _link(row: Row[tuple[object, ...]]) -> ShipmentLink:
    return ShipmentLink(
        tracking_code=row.tracking_code,
        carrier=row.carrier,
        kind=row.kind,
        reference=row.reference,
        workflow_id=row.workflow_id,
        source=row.source,
        account=row.account,
        merchant=row.merchant,
        easypost_tracker_id=row.easypost_tracker_id,
    )
