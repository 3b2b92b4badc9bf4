"""The intake's side of the tracking poller (workflows/tracking_poller.py): which shipped
events start one, and what becomes of a tracker the poller saw change.

- **Who is polled**: an intake account (source and account, as its events arrive) whose
  ``[[tracking]]`` table in config/intake.toml says ``mode = "poll"``; the default is
  ``webhook`` (the carrier's or EasyPost's webhook reports, no poller). Once the
  dispatcher has signalled a shipped event with a tracking number for such an account,
  :func:`poll_start_for` says which poller to start (the starter makes that idempotent).
- **A changed tracker**: :func:`keep_tracker_change` maps it with EasyPost's own mapping
  (intake/sources/easypost.py ``map_tracker``, the same the webhook route uses) and keeps
  the events in the inbox under ``<tracker id>:<status>:<detail>``: the same change kept
  twice is one row, and its event id (order and milestone) makes it one milestone with a
  webhook's report of it. What cannot be notified becomes a dead letter, as from any
  source; the poll goes on. The letter holds the tracker and the order it was polled for
  (:func:`letter_body`): a replay (intake/replay_mappings.py) maps the tracker for that
  order again, under the same inbox key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from config.settings import Settings
from domain.events import MilestoneEvent
from domain.milestones import Kind, Milestone, workflow_id_for
from intake.accounts import easypost_accounts, intake_tables, validation_rules
from intake.carrier_statuses import load_carrier_statuses
from intake.handoff import keep_events, keep_refusal
from intake.source import IntakeRefused
from intake.sources.easypost import EasyPostAccount, map_tracker
from intake.tracker_mappings import customer_lookup
from intake.validation import DEFAULT_RULES, Rules, checked
from store.repository import Store
from workflows.tracking_poll_state import (
    CARRIER_MAX,
    TRACKING_CODE_MAX,
    TrackingPollPolicy,
    TrackingPollStart,
)

SOURCE = "easypost_poller"  # the inbox's and dead letters' source for what it keeps
DEFAULT_EASYPOST_ACCOUNT = "default"


class TrackingAccount(BaseModel):
    """One ``[[tracking]]`` table: how an intake account's shipments are followed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(min_length=1, max_length=40)  # "generic", "shopify"...
    account: str = Field(min_length=1, max_length=255)  # as its events arrive
    mode: Literal["poll", "webhook"] = "webhook"
    # The [[easypost]] account whose merchant and [[validation]] rules map its trackers; none
    # configured: EasyPost's status table (config/carrier_statuses.toml) alone.
    easypost_account: str = DEFAULT_EASYPOST_ACCOUNT


def tracking_accounts(settings: Settings) -> dict[tuple[str, str], TrackingAccount]:
    tables = [TrackingAccount.model_validate(t) for t in intake_tables(settings, "tracking")]
    return {(t.source, t.account.lower()): t for t in tables}


def poll_start_for(
    source: str,
    account: str,
    event: MilestoneEvent,
    accounts: dict[tuple[str, str], TrackingAccount],
    policy: TrackingPollPolicy,
) -> TrackingPollStart | None:
    """The poller a signalled event asks for: a shipped order with a tracking number from
    an account that polls; None otherwise."""
    followed = accounts.get((source, account.lower()))
    shipment = event.shipment
    if followed is None or followed.mode != "poll" or shipment is None:
        return None
    if event.kind != Kind.ORDER or event.milestone != Milestone.SHIPPED:
        return None
    code = (shipment.tracking_id or "").strip()
    if not code or len(code) > TRACKING_CODE_MAX:
        return None  # nothing to track, or no carrier's code (never raise: see below)
    # What follows a signal must not fail for good: the dispatcher would put the row back
    # and signal it again every minute, forever. A carrier longer than any EasyPost names
    # is left for EasyPost to detect from the code.
    carrier = (shipment.carrier or "").strip()
    return TrackingPollStart(
        carrier=carrier if len(carrier) <= CARRIER_MAX else "",
        tracking_code=code,
        reference=event.reference,
        merchant=event.merchant,
        source=source,
        account=account,
        easypost_account=followed.easypost_account,
        policy=policy,
    )


def easypost_account_named(settings: Settings, name: str) -> EasyPostAccount:
    """The configured account, else one with EasyPost's status table alone."""
    configured = easypost_accounts(settings).get(name)
    if configured is not None:
        return configured
    statuses = load_carrier_statuses(settings.carrier_statuses_path).easypost
    return EasyPostAccount(name=name, statuses=statuses)


@dataclass(frozen=True)
class PolledOrder:
    """The order the poller was started for (intake/sources/tracking.py ShipmentOrder)."""

    reference: str
    merchant: str | None
    kind: str = Kind.ORDER.value

    @property
    def workflow_id(self) -> str:
        return workflow_id_for(Kind.ORDER, self.reference)


def poll_delivery(tracker: Mapping[str, Any]) -> str:
    """The inbox key's delivery part for a polled change: the same change kept twice (a
    poll repeated, or a replayed letter and the poll) is one row."""
    return f"{tracker.get('id')}:{tracker.get('status')}:{tracker.get('status_detail')}"


def letter_body(order: PolledOrder, tracker: Mapping[str, Any]) -> bytes:
    """A dead letter's payload: the tracker and the order the poller asked for, since
    the tracker alone names only a tracking code."""
    polled = {"reference": order.reference, "merchant": order.merchant}
    return json.dumps({"order": polled, "tracker": tracker}, sort_keys=True).encode()


def read_letter(body: Any) -> tuple[PolledOrder | None, Mapping[str, Any]]:
    """(the polled order, the tracker) of :func:`letter_body`; a letter of a tracker alone
    (kept before the order was) has no order: the tracking code's link finds it."""
    if not isinstance(body, Mapping):
        raise IntakeRefused("the poller's dead letter is not a JSON object")
    tracker, polled = body.get("tracker"), body.get("order")
    if tracker is None:
        return None, body
    if not isinstance(tracker, Mapping) or not isinstance(polled, Mapping):
        raise IntakeRefused("the poller's dead letter holds no tracker and order")
    reference, merchant = polled.get("reference"), polled.get("merchant")
    if not isinstance(reference, str) or not reference:
        raise IntakeRefused("the poller's dead letter names no order")
    return PolledOrder(reference, merchant if isinstance(merchant, str) else None), tracker


def poll_rules(settings: Settings, account: str) -> Rules:
    """The validation rules of an EasyPost account: a poll and a webhook of the same
    account meet the same rules, so the ``[[validation]]`` table names source easypost."""
    return validation_rules(settings.intake_config_path).rules_for("easypost", account)


def keep_tracker_change(
    store: Store,
    account: EasyPostAccount,
    tracker: dict[str, Any],
    order: PolledOrder,
    now: datetime,
    rules: Rules = DEFAULT_RULES,
) -> tuple[int, str | None]:
    """(new events kept, why none were): the tracker mapped and kept, or its dead letter.

    The order is the one the poller was started for: it asks about that order's code.
    Store errors propagate (the activity retries); a tracker that cannot be notified does
    not, so one odd status never stops the poll. ``rules`` are the EasyPost account's
    (:func:`poll_rules`), as for its webhooks.
    """

    try:
        mapped = map_tracker(
            tracker,
            account=account,
            order_of=lambda _code, _carrier: order,
            customer_of=customer_lookup(store),
            rules=rules,
        )
        mapped = checked(mapped, rules)
    except IntakeRefused as refused:
        raw = letter_body(order, tracker)
        letter = keep_refusal(store, SOURCE, account.name, refused, raw, now)
        return 0, f"dead letter {letter}: {refused.reason}"
    delivery = poll_delivery(tracker)
    added, _repeated = keep_events(store, SOURCE, account.name, delivery, mapped.events, now)
    return added, mapped.ignored
