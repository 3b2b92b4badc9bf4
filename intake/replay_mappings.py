"""How a replay reads each source's dead letter again: with the mapping that source's
route, poller or watcher used, the account and rules of the configuration the replay runs
with (after the fix it follows), and the delivery id that path would have used.

The same delivery id makes the same inbox key (``<source>:<account>:<delivery>:<event>``),
so a replayed event and the source's own redelivery of it (Shopify's retry of the webhook,
the OMS sending the event again, the poller seeing the change again) are one row. Every
source that can keep a dead letter has its entry in :data:`REPLAY_MAPPINGS`;
tests/intake/test_replay_sources.py finds the sources in the code and fails for one
without.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from config.settings import Settings
from intake.accounts import generic_accounts, shopify_accounts, validation_rules
from intake.returns_config import returns_mapping
from intake.returns_watcher import DELIVERY as RETURNS_DELIVERY
from intake.source import IntakeRefused, Mapped, parse_json
from intake.sources import generic, shopify
from intake.sources.easypost import map_tracker
from intake.sources.returns_table import SOURCE as RETURNS_SOURCE
from intake.sources.shopify_letter import ShopifyLetter
from intake.sources.tracking import ShipmentOrder
from intake.tracker_mappings import (
    AFTERSHIP,
    DELIVERY_IDS,
    EASYPOST,
    customer_lookup,
    order_customer_lookup,
    order_lookup,
    tracker_mapping,
)
from intake.tracking_polls import (
    SOURCE as POLLER_SOURCE,
)
from intake.tracking_polls import (
    easypost_account_named,
    poll_delivery,
    poll_rules,
    read_letter,
)
from intake.validation import Rules
from store.dead_letters import DeadLetter
from store.repository import Store


@dataclass(frozen=True)
class Reading:
    """A letter read again: its events before the rules, the rules, the delivery id."""

    mapped: Mapped
    rules: Rules
    delivery: str


ReplayMapping = Callable[[DeadLetter, Store, Settings], Reading]


def _rules(settings: Settings, source: str, account: str) -> Rules:
    # Read from the file at each replay: a rule relaxed since lets the letter through.
    return validation_rules(settings.intake_config_path).rules_for(source, account)


def _generic(letter: DeadLetter, _store: Store, settings: Settings) -> Reading:
    rules = _rules(settings, generic.SOURCE, letter.account)
    configured = generic_accounts(settings.intake_config_path).get(letter.account.lower())
    zone = configured.time_zone if configured is not None else None
    mapped = generic.map_generic(parse_json(letter.payload), rules, time_zone=zone)
    return Reading(mapped, rules, generic.DELIVERY)


def _shopify(letter: DeadLetter, store: Store, settings: Settings) -> Reading:
    webhook = ShopifyLetter.from_letter(letter.payload)
    account = shopify_accounts(settings.intake_config_path).get(webhook.shop.lower())
    if account is None:
        raise LookupError(f"no Shopify shop {webhook.shop!r} in {settings.intake_config_path}")
    if not webhook.webhook_id:
        raise IntakeRefused("no X-Shopify-Webhook-Id")  # as the route refused it
    rules = _rules(settings, shopify.SOURCE, letter.account)
    mapped = shopify.map_webhook(
        webhook.topic,
        webhook.shop,
        parse_json(webhook.raw),
        account=account,
        customer_of=order_customer_lookup(store),
        rules=rules,
    )
    return Reading(mapped, rules, webhook.webhook_id)


def _tracker(source: str) -> ReplayMapping:
    def read(letter: DeadLetter, store: Store, settings: Settings) -> Reading:
        rules = _rules(settings, source, letter.account)
        mapping = tracker_mapping(source, letter.account, store, settings, rules)
        payload = parse_json(letter.payload)
        delivery = DELIVERY_IDS[source](payload)
        if not delivery:
            raise IntakeRefused(f"the {source} webhook has no delivery id")  # as the route
        return Reading(mapping(payload), rules, delivery)

    return read


def _poller(letter: DeadLetter, store: Store, settings: Settings) -> Reading:
    """The tracker mapped for the order it was polled for, under the EasyPost account's
    rules (as the poller does), keyed as the poller keys the same change."""
    order, tracker = read_letter(parse_json(letter.payload))
    rules = poll_rules(settings, letter.account)

    def order_of(code: str, carrier: str | None) -> ShipmentOrder | None:
        return order if order is not None else order_lookup(store)(code, carrier)

    mapped = map_tracker(
        tracker,
        account=easypost_account_named(settings, letter.account),
        order_of=order_of,
        customer_of=customer_lookup(store),
        rules=rules,
    )
    return Reading(mapped, rules, poll_delivery(tracker))


def _returns(letter: DeadLetter, _store: Store, settings: Settings) -> Reading:
    rules = _rules(settings, RETURNS_SOURCE, letter.account)
    mapped = returns_mapping(letter.account, settings, rules)(parse_json(letter.payload))
    return Reading(mapped, rules, RETURNS_DELIVERY)


REPLAY_MAPPINGS: dict[str, ReplayMapping] = {
    generic.SOURCE: _generic,
    shopify.SOURCE: _shopify,
    EASYPOST: _tracker(EASYPOST),
    AFTERSHIP: _tracker(AFTERSHIP),
    POLLER_SOURCE: _poller,
    RETURNS_SOURCE: _returns,
}
