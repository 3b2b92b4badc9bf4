"""A carrier tracker source's mapping with its look-ups bound: the order a tracking code
ships (store.tracked_shipments) and the customer that order's latest event named (the
inbox). The webhook routes, dead-letter replay and the tracker poller all build theirs
here, so a replayed letter is read exactly as its webhook would have been.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from config.settings import Settings
from domain.events import Customer, MilestoneEvent
from domain.milestones import Kind, workflow_id_for
from intake.accounts import aftership_accounts, easypost_accounts
from intake.source import Mapped
from intake.sources import aftership, easypost
from intake.sources.tracking import CustomerLookup, OrderLookup
from intake.validation import Rules
from store.repository import Store

EASYPOST = "easypost"
AFTERSHIP = "aftership"
TRACKER_SOURCES = (EASYPOST, AFTERSHIP)
# Each tracker source's delivery id in its webhook's payload (the inbox key's part).
DELIVERY_IDS: dict[str, Callable[[Any], str | None]] = {
    EASYPOST: easypost.delivery_id,
    AFTERSHIP: aftership.delivery_id,
}


def order_lookup(store: Store) -> OrderLookup:
    return store.tracked_shipments.find


def customer_lookup(store: Store) -> CustomerLookup:
    def customer_of(workflow_id: str) -> Customer | None:
        latest = store.intake_inbox.latest_event(workflow_id)
        return None if latest is None else MilestoneEvent.model_validate_json(latest).customer

    return customer_of


def order_customer_lookup(store: Store) -> Callable[[str], Customer | None]:
    """The customer an order's latest event named, by the order's reference (Shopify's
    fulfillment events name the order, never the customer)."""
    by_workflow = customer_lookup(store)
    return lambda reference: by_workflow(workflow_id_for(Kind.ORDER, reference))


def tracker_mapping(
    source: str, account: str, store: Store, settings: Settings, rules: Rules
) -> Callable[[Any], Mapped]:
    """``source``'s payload mapping for ``account`` under its ``rules``. LookupError: the
    account is not configured (any more)."""
    order_of, customer_of = order_lookup(store), customer_lookup(store)
    if source == EASYPOST:
        easypost_account = easypost_accounts(settings).get(account)
        if easypost_account is None:
            raise LookupError(f"no EasyPost account {account!r} in {settings.intake_config_path}")
        return lambda payload: easypost.map_event(
            payload,
            account=easypost_account,
            order_of=order_of,
            customer_of=customer_of,
            rules=rules,
        )
    if source == AFTERSHIP:
        aftership_account = aftership_accounts(settings).get(account)
        if aftership_account is None:
            raise LookupError(f"no AfterShip account {account!r} in {settings.intake_config_path}")
        return lambda payload: aftership.map_webhook(
            payload,
            account=aftership_account,
            order_of=order_of,
            customer_of=customer_of,
            rules=rules,
        )
    raise LookupError(f"{source!r} is no carrier tracker source")
