"""EasyPost trackers: a webhook Event's signature check and one Tracker to at most one
order milestone event.

Owns what Herald reads from EasyPost's Tracker object (``id``, ``tracking_code``,
``carrier``, ``status``, ``status_detail``, ``est_delivery_date``, ``tracking_details``,
``public_url``, ``updated_at``) and each EasyPost account's configuration
(:class:`EasyPostAccount`). Pure: no HTTP, no store. The webhook route
(api/intake_easypost.py) and the tracker poller both call :func:`map_tracker`; the route
reads the webhook Event with :func:`map_event`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from easypost.errors import SignatureVerificationError
from easypost.util import validate_webhook
from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.milestones import Kind
from intake.carrier_statuses import StatusTable
from intake.source import PRIORITY_NORMAL, IntakeRefused, Mapped, priority_of
from intake.sources.tracking import (
    CustomerLookup,
    OrderLookup,
    TrackerReport,
    current_run,
    moment,
    run_key,
    ships_for,
    text,
    timed_scans,
    tracker_event,
)
from intake.validation import DEFAULT_RULES, Rules, rules_moved

SIGNATURE_HEADER = "X-Hmac-Signature"
TRACKER_EVENTS = ("tracker.created", "tracker.updated")


class EasyPostAccount(BaseModel):
    """One EasyPost account, from configuration (``[[easypost]]`` in config/intake.toml)
    and its status table (config/carrier_statuses.toml)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")
    merchant: str | None = Field(default=None, max_length=100)  # when the order names none
    # Which milestones its trackers tell, and the rest of what the account accepts: its
    # [[validation]] table (intake/validation.py), the one place for such rules.
    statuses: StatusTable

    @model_validator(mode="before")
    @classmethod
    def _rules_moved(cls, table: Any) -> Any:
        return rules_moved(table, "easypost")


def verify_event(raw_body: bytes, signature: str | None, secrets: Sequence[str]) -> Any | None:
    """The Event's JSON if ``X-Hmac-Signature`` matches one of ``secrets`` (a rotation has
    two), with the SDK's own validator; None: forged or unsigned.

    Raises ValueError for a signed body that is no JSON: EasyPost sent it, so it is kept
    as a dead letter rather than refused as forged.
    """
    if not signature or not signature.isascii():
        # The SDK compares str digests, which raises TypeError on anything but ASCII: a
        # header of other bytes is no EasyPost signature, so forged (401), not a 500.
        return None
    for secret in secrets:
        if not secret:
            continue
        try:
            return validate_webhook(raw_body, {SIGNATURE_HEADER: signature}, secret)
        except SignatureVerificationError:
            continue
    return None


def delivery_id(payload: Any) -> str | None:
    """The Event's id: the same on EasyPost's redelivery, so the inbox keeps it once."""
    event_id = payload.get("id") if isinstance(payload, Mapping) else None
    return event_id if isinstance(event_id, str) and event_id.strip() else None


def map_event(
    payload: Any,
    *,
    account: EasyPostAccount,
    order_of: OrderLookup,
    customer_of: CustomerLookup,
    rules: Rules = DEFAULT_RULES,
) -> Mapped:
    """A webhook Event: a tracker's (``tracker.created``/``tracker.updated``) milestone;
    any other event is ignored."""
    if not isinstance(payload, Mapping):
        raise IntakeRefused("the EasyPost event is not a JSON object")
    description = payload.get("description")
    if description not in TRACKER_EVENTS:
        return Mapped(ignored=f"EasyPost event {description!r} is not a tracker's")
    tracker = payload.get("result")
    if not isinstance(tracker, Mapping):
        raise IntakeRefused(f"EasyPost {description} event {payload.get('id')!r} has no tracker")
    return map_tracker(
        tracker, account=account, order_of=order_of, customer_of=customer_of, rules=rules
    )


def map_tracker(
    tracker: Mapping[str, Any],
    *,
    account: EasyPostAccount,
    order_of: OrderLookup,
    customer_of: CustomerLookup,
    rules: Rules = DEFAULT_RULES,
) -> Mapped:
    """One Tracker (as the API returns it, or its SDK object's ``to_dict()``) to at most
    one milestone event, nothing (``ignored`` says why), or :class:`IntakeRefused`.

    ``rules`` are the account's (intake/validation.py): a milestone it does not use is
    ignored before the order is looked for, so a code no source named is no dead letter
    for a milestone nobody would hear of. The caller applies the rest to the event.

    ``order_of``/``customer_of`` errors propagate, so a store outage is retried rather
    than dead-lettered.
    """
    try:
        report = _report(tracker, account)
    except IntakeRefused:
        raise
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise IntakeRefused(f"EasyPost tracker could not be read: {exc}") from exc
    milestone = report.meaning.milestone
    if milestone is None:
        return Mapped(ignored=f"{report.described} tells the customer nothing")
    if not rules.uses(milestone):
        return Mapped(ignored=f"account {account.name} does not use {milestone.value}")
    order = order_of(report.tracking_code, report.carrier)
    if order is None:
        raise IntakeRefused(
            f"{report.described}: tracking code {report.tracking_code} is not linked to an "
            "order yet (no source has named it); replay once the order's shipped event is in",
            priority_of(milestone),
        )
    if order.kind != Kind.ORDER.value:
        return Mapped(ignored=f"tracking code {report.tracking_code} ships a {order.kind}")
    if not ships_for(order, account.merchant):
        raise IntakeRefused(  # the order not named: the reason goes back to the sender
            f"{report.described}: tracking code {report.tracking_code} ships another "
            f"merchant's order, not {account.merchant}'s",
            PRIORITY_NORMAL,
        )
    customer = customer_of(order.workflow_id)
    if customer is None:
        raise IntakeRefused(
            f"{report.described} for order {order.reference}: no customer known for it",
            priority_of(milestone),
        )
    return Mapped(events=[tracker_event(report, milestone, order, customer, account.merchant)])


def _report(tracker: Mapping[str, Any], account: EasyPostAccount) -> TrackerReport:
    if not isinstance(tracker, Mapping):
        raise IntakeRefused("the EasyPost tracker is not a JSON object")
    tracker_id = text(tracker, "id") or "(no id)"
    code = text(tracker, "tracking_code")
    if not code:
        raise IntakeRefused(f"EasyPost tracker {tracker_id} has no tracking_code")
    status, detail = text(tracker, "status"), text(tracker, "status_detail")
    described = f"EasyPost tracker {tracker_id} (status {status}/{detail})"
    meaning = account.statuses.meaning(status, detail)
    if meaning is None:
        raise IntakeRefused(
            f"{described}: status {status!r} is not in config/carrier_statuses.toml",
            PRIORITY_NORMAL,
        )
    scans = timed_scans(tracker.get("tracking_details"), "datetime")
    run = current_run(
        scans,
        lambda said: said.get("status") == status and said.get("status_detail") in (None, detail),
    )
    latest = run[-1] if run else (scans[-1] if scans else None)
    occurred_at = latest[0] if latest else moment(tracker.get("updated_at"))
    if occurred_at is None:
        raise IntakeRefused(
            f"{described} has no valid time in tracking_details or updated_at",
            priority_of(meaning.milestone),
        )
    first_of_run = run[0][0] if run else occurred_at
    message = latest[1].get("message") if latest else None
    return TrackerReport(
        described=described,
        tracking_code=code,
        carrier=text(tracker, "carrier"),
        meaning=meaning,
        occurred_at=occurred_at,
        repeat_key=run_key(first_of_run),
        tracking_url=text(tracker, "public_url"),
        estimated_arrival=moment(tracker.get("est_delivery_date")),
        detail=message if isinstance(message, str) else None,
    )
