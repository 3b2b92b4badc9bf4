"""``POST /intake/easypost``: EasyPost's tracker webhooks (Events ``tracker.created`` and
``tracker.updated``, their ``result`` a Tracker), signed with the account's webhook secret
and checked with the easypost SDK's own validator (``easypost.util.validate_webhook``).

The Tracker names a tracking code: the order it ships is the one a source's event named
with that code (store/tracked_shipments.py), its customer the one that order's latest
event named. A code no source has named yet is a dead letter saying so, replayable once
the order's shipped event is in. The rest is every tracker route's (api/intake_trackers.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter

from api.intake_trackers import TrackerWebhook, add_tracker_route
from config.settings import Settings
from intake.accounts import account_secrets, easypost_accounts
from intake.dispatcher import Dispatcher
from intake.source import IntakeRefused
from intake.sources.easypost import SIGNATURE_HEADER, delivery_id, map_event, verify_event
from intake.tracker_mappings import EASYPOST
from store.repository import Store


def create_easypost_router(settings: Settings, store: Store, dispatcher: Dispatcher) -> APIRouter:
    router = APIRouter()
    webhook = TrackerWebhook(
        source=EASYPOST,
        path="/intake/easypost",
        signature_header=SIGNATURE_HEADER,
        accounts=easypost_accounts(settings),
        secrets=account_secrets(settings.easypost_webhook_secrets, "EasyPost webhook secrets"),
        read=_read,
        delivery_id=delivery_id,
        mapping=lambda payload, account, order_of, customer_of, rules: map_event(
            payload, account=account, order_of=order_of, customer_of=customer_of, rules=rules
        ),
        after=_attach_tracker,
    )
    add_tracker_route(router, webhook, settings, store, dispatcher)
    return router


def _read(raw: bytes, signature: str | None, secrets: list[str]) -> Any | None:
    try:
        return verify_event(raw, signature, secrets)
    except ValueError as exc:  # signed by EasyPost, yet no JSON: kept to look at
        raise IntakeRefused(f"the body is not JSON: {exc}") from exc


def _attach_tracker(store: Store, payload: Any) -> None:
    """The tracker's id onto its shipment, so the poller asks EasyPost about this tracker
    instead of creating another (nothing when no source named the code yet)."""
    tracker = payload.get("result") if isinstance(payload, Mapping) else None
    if not isinstance(tracker, Mapping):
        return
    tracker_id, code = tracker.get("id"), tracker.get("tracking_code")
    if isinstance(tracker_id, str) and tracker_id and isinstance(code, str) and code.strip():
        carrier = tracker.get("carrier")
        store.tracked_shipments.attach_tracker(
            code, carrier if isinstance(carrier, str) else None, tracker_id
        )
