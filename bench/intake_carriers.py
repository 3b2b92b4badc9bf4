"""The intake benchmark's carrier trackers: EasyPost and AfterShip webhooks, signed as
each provider signs them, reporting "out for delivery" for a tracking code an order's
"shipped" named (from whichever order source). A tracking code no source named is what
neither can notify: a dead letter until the shipment is known.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from bench.intake_sources import PAYLOADS, Offer, Order, now_iso
from intake.sources.aftership import SIGNATURE_HEADER as AFTERSHIP_SIGNATURE
from intake.sources.easypost import SIGNATURE_HEADER as EASYPOST_SIGNATURE

ACCOUNT = "herald-demo"  # config/intake.toml's demo account for both providers
EASYPOST_SECRET = "bench-easypost-secret"
AFTERSHIP_SECRET = "bench-aftership-secret"


def _payload(path: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((PAYLOADS / path).read_text())
    return loaded


class EasyPostSource:
    """``tracker.updated`` Events at ``POST /intake/easypost``, ``X-Hmac-Signature`` as
    EasyPost signs them (``hmac-sha256-hex=`` and the hex HMAC of the raw body)."""

    name = "easypost"

    def __init__(self, secret: str = EASYPOST_SECRET) -> None:
        self._secret = secret
        self._event = _payload("easypost/tracker_updated_out_for_delivery.json")

    def _offer(self, tracking_code: str, kind: str, order: Order | None) -> Offer:
        event = copy.deepcopy(self._event)
        event["id"] = f"evt_{uuid.uuid4().hex}"
        tracker = event["result"]
        tracker.update(
            id=f"trk_{uuid.uuid4().hex}", tracking_code=tracking_code, updated_at=now_iso()
        )
        tracker["tracking_details"][-1]["datetime"] = now_iso()
        body = json.dumps(event).encode()
        signature = hmac.new(self._secret.encode(), body, hashlib.sha256).hexdigest()
        headers = {
            "Content-Type": "application/json",
            EASYPOST_SIGNATURE: f"hmac-sha256-hex={signature}",
        }
        milestone = "out_for_delivery" if order else None
        return Offer(
            self.name, f"/intake/easypost?account={ACCOUNT}", headers, body, kind, order, milestone
        )

    def out_for_delivery(self, order: Order) -> Offer:
        return self._offer(order.tracking_code, "carrier", order)

    def malformed(self, serial: int) -> Offer:
        return self._offer(f"1ZUNKNOWN{serial:08d}{uuid.uuid4().hex[:6]}", "malformed", None)


class AfterShipSource:
    """``tracking_update`` webhooks at ``POST /intake/aftership``, signed with
    ``aftership-hmac-sha256`` (base64 of the HMAC of the raw body)."""

    name = "aftership"

    def __init__(self, secret: str = AFTERSHIP_SECRET) -> None:
        self._secret = secret
        self._update = _payload("aftership/tracking_update_delivered.json")

    def _offer(self, tracking_code: str, kind: str, order: Order | None) -> Offer:
        update = copy.deepcopy(self._update)
        update["event_id"] = str(uuid.uuid4())
        update["ts"] = int(datetime.now(UTC).timestamp())
        tracking = update["msg"]
        now = now_iso()
        checkpoint = {
            **tracking["checkpoints"][-1],
            "tag": "OutForDelivery",
            "subtag": "OutForDelivery_001",
            "message": "Out for delivery",
            "checkpoint_time": now,
            "created_at": now,
        }
        tracking.update(
            id=uuid.uuid4().hex[:24],
            tracking_number=tracking_code,
            tag="OutForDelivery",
            subtag="OutForDelivery_001",
            subtag_message="Out for delivery",
            active=True,
            updated_at=now,
            # Its order is the one the code's "shipped" named; a made-up code names none.
            order_id=order.reference if order else None,
            checkpoints=[*tracking["checkpoints"][:-1], checkpoint],
        )
        body = json.dumps(update).encode()
        digest = hmac.new(self._secret.encode(), body, hashlib.sha256).digest()
        headers = {
            "Content-Type": "application/json",
            AFTERSHIP_SIGNATURE: base64.b64encode(digest).decode(),
        }
        milestone = "out_for_delivery" if order else None
        return Offer(
            self.name, f"/intake/aftership?account={ACCOUNT}", headers, body, kind, order, milestone
        )

    def out_for_delivery(self, order: Order) -> Offer:
        return self._offer(order.tracking_code, "carrier", order)

    def malformed(self, serial: int) -> Offer:
        return self._offer(f"1ZUNKNOWN{serial:08d}{uuid.uuid4().hex[:6]}", "malformed", None)
