"""``POST /intake/aftership``: AfterShip's tracking webhooks (``tracking_update``, the
tracking in ``msg``), signed in ``aftership-hmac-sha256`` (base64 HMAC-SHA256 of the raw
body with the account's webhook secret).

The tracking's order is the one a source's event named with its tracking number, else the
``order_id`` the tracking carries; its customer the one that order's latest event named,
else the tracking's own ``customer_name``, ``smses`` and ``emails``. ``event_id`` is the
delivery id. The rest is every tracker route's (api/intake_trackers.py).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.intake_trackers import TrackerWebhook, add_tracker_route
from config.settings import Settings
from intake.accounts import account_secrets, aftership_accounts
from intake.dispatcher import Dispatcher
from intake.source import parse_json
from intake.sources.aftership import (
    SIGNATURE_HEADER,
    delivery_id,
    map_webhook,
    verify_signature,
)
from intake.tracker_mappings import AFTERSHIP
from store.repository import Store


def create_aftership_router(settings: Settings, store: Store, dispatcher: Dispatcher) -> APIRouter:
    router = APIRouter()
    webhook = TrackerWebhook(
        source=AFTERSHIP,
        path="/intake/aftership",
        signature_header=SIGNATURE_HEADER,
        accounts=aftership_accounts(settings),
        secrets=account_secrets(settings.aftership_webhook_secrets, "AfterShip webhook secrets"),
        read=_read,
        delivery_id=delivery_id,
        mapping=lambda payload, account, order_of, customer_of, rules: map_webhook(
            payload, account=account, order_of=order_of, customer_of=customer_of, rules=rules
        ),
    )
    add_tracker_route(router, webhook, settings, store, dispatcher)
    return router


def _read(raw: bytes, signature: str | None, secrets: list[str]) -> Any | None:
    # Signed but no JSON: parse_json's IntakeRefused, kept as a dead letter.
    return parse_json(raw) if verify_signature(raw, signature, secrets) else None
