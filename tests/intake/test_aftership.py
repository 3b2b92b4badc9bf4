"""AfterShip trackings: the signature, a known shipment's milestone for its order's
customer, and a shipment no source named reaching the customer the tracking names."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest

from domain.events import Customer, DeliveryProblem
from domain.milestones import Milestone
from intake.source import PRIORITY_NORMAL, IntakeRefused, Mapped
from intake.sources.aftership import (
    AfterShipAccount,
    carrier_name,
    map_webhook,
    verify_signature,
)
from intake.validation import Rules
from store.tracked_shipments import ShipmentLink
from tests.intake.test_easypost import KNOWN, LINK, STATUSES, linked, nobody
from tests.intake.test_easypost import known as known_customer
from tests.intake.test_easypost import only_event as easypost_event

PAYLOADS = Path(__file__).parent / "payloads" / "aftership"
ACCOUNT = AfterShipAccount(
    name="shop-tracking",
    merchant="scarves",
    time_zone="America/New_York",
    statuses=STATUSES.aftership,
)
US_RULES = Rules(default_region="US")  # the account's [[validation]] table


def load(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def unlinked(code: str, carrier: str | None) -> ShipmentLink | None:
    return None


def mapped(name: str, **overrides: Any) -> Mapped:
    kwargs: dict[str, Any] = {
        "account": ACCOUNT,
        "order_of": linked,
        "customer_of": known_customer,
        "rules": US_RULES,
    }
    return map_webhook(load(name), **{**kwargs, **overrides})


def test_the_signature_is_base64_hmac_of_the_raw_body_with_any_rotated_secret() -> None:
    body = (PAYLOADS / "tracking_update_delivered.json").read_bytes()
    assert verify_signature(body, sign(body, "new"), ["old", "new"])
    assert not verify_signature(body, sign(body, "other"), ["old", "new"])
    assert not verify_signature(body + b"\n", sign(body, "new"), ["new"])
    assert not verify_signature(body, None, ["new"])
    assert not verify_signature(body, "%%%", ["new"])


def test_a_known_shipment_delivered_is_its_orders_milestone_like_easyposts() -> None:
    [event] = mapped("tracking_update_delivered").events
    assert event.event_id == easypost_event("tracker_updated_delivered").event_id
    assert (event.milestone, event.reference, event.customer) == (
        Milestone.DELIVERED,
        LINK.reference,
        KNOWN,
    )
    assert event.occurred_at.isoformat() == "2026-12-06T14:02:00-05:00"
    assert event.shipment is not None and event.shipment.tracking_id == "1Z999AA10123456784"


def test_a_customs_delay_is_a_delay_named_by_its_first_checkpoint() -> None:
    [event] = mapped("tracking_update_customs_delay").events
    assert (event.milestone, event.problem) == (Milestone.DELAYED, DeliveryProblem.DELAYED)
    assert event.event_id == f"{LINK.reference}:delayed:20261205"
    assert event.detail == "Clearance delay - Import"


def test_an_unknown_shipment_reaches_the_customer_the_tracking_names() -> None:
    [event] = mapped(
        "tracking_update_delivered_new_order", order_of=unlinked, customer_of=nobody
    ).events
    assert (event.reference, event.workflow_id, event.merchant) == (
        "A-7001",
        "order-A-7001",
        "scarves",
    )
    # The bad phone and e-mail are dropped, the good ones kept; a local number read in the
    # region of the account's rules.
    assert event.customer == Customer(
        name="Jo Park",
        phone="+15025550142",
        email="jo.park@example.com",
        time_zone="America/New_York",
    )


def test_the_orders_known_customer_comes_before_the_trackings_contacts() -> None:
    asked: list[str] = []

    def known_for_a_7001(workflow_id: str) -> Customer | None:
        asked.append(workflow_id)
        return KNOWN

    [event] = mapped(
        "tracking_update_delivered_new_order", order_of=unlinked, customer_of=known_for_a_7001
    ).events
    assert event.customer == KNOWN and asked == ["order-A-7001"]


def test_an_unknown_shipment_naming_no_order_or_nobody_reachable_is_refused() -> None:
    with pytest.raises(IntakeRefused, match="not linked to an order yet") as refused:
        mapped("tracking_update_unknown_no_contacts", order_of=unlinked, customer_of=nobody)
    assert refused.value.priority == PRIORITY_NORMAL
    payload = load("tracking_update_unknown_no_contacts")
    payload["msg"]["order_id"] = "A-7002"
    with pytest.raises(IntakeRefused, match="no customer with a valid phone or e-mail"):
        map_webhook(payload, account=ACCOUNT, order_of=unlinked, customer_of=nobody)
    payload["msg"]["order_id"] = "#1001"  # not a reference Herald can use
    with pytest.raises(IntakeRefused, match="names no valid order_id"):
        map_webhook(payload, account=ACCOUNT, order_of=unlinked, customer_of=nobody)


def test_other_events_and_quiet_tags_tell_nothing() -> None:
    assert mapped("edd_revise").ignored == "AfterShip event 'edd_revise' is not a tracking update"
    payload = load("tracking_update_delivered")
    payload["msg"]["tag"], payload["msg"]["subtag"] = "InfoReceived", "InfoReceived_001"
    quiet = map_webhook(payload, account=ACCOUNT, order_of=linked, customer_of=known_customer)
    assert quiet.events == [] and quiet.ignored and "tells the customer nothing" in quiet.ignored


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda p: p.update(msg="x"), "has no tracking"),
        (lambda p: p["msg"].pop("tracking_number"), "has no tracking_number"),
        (lambda p: p["msg"].update(tag="Teleported", subtag=None), "tag 'Teleported' is not in"),
        (
            lambda p: p.update(ts="soon") or p["msg"].update(checkpoints=[], updated_at=None),
            "has no valid time",
        ),
    ],
    ids=["no-tracking", "no-number", "unknown-tag", "no-time"],
)
def test_malformed_trackings_are_refused(change: Any, reason: str) -> None:
    payload = load("tracking_update_delivered")
    change(payload)
    with pytest.raises(IntakeRefused, match=reason):
        map_webhook(payload, account=ACCOUNT, order_of=linked, customer_of=known_customer)


def test_without_checkpoints_the_time_is_updated_at_then_the_webhooks_ts() -> None:
    payload = load("tracking_update_delivered")
    payload["msg"]["checkpoints"] = []
    [event] = map_webhook(
        payload, account=ACCOUNT, order_of=linked, customer_of=known_customer
    ).events
    assert event.occurred_at.isoformat() == "2026-12-06T19:03:00+00:00"
    payload["msg"]["updated_at"] = None
    [event] = map_webhook(
        payload, account=ACCOUNT, order_of=linked, customer_of=known_customer
    ).events
    assert event.occurred_at.timestamp() == payload["ts"]


def test_an_aftership_account_reports_only_on_its_own_merchants_shipments() -> None:
    others = dataclasses.replace(LINK, merchant="hats")
    with pytest.raises(IntakeRefused, match="ships another merchant's order"):
        mapped("tracking_update_delivered", order_of=lambda code, carrier: others)


@pytest.mark.parametrize(
    ("country", "phone", "expected"),
    [
        ("USA", "(502) 555-0142", "+15025550142"),  # AfterShip's alpha-3, read as US
        ("DEU", "030 901820", "+4930901820"),  # a German local number
        ("US", "(502) 555-0142", "+15025550142"),  # alpha-2 too
        ("XYZ", "(502) 555-0142", None),  # no such country, no default: not guessed
    ],
)
def test_a_local_phone_is_read_in_the_trackings_country(
    country: str, phone: str, expected: str | None
) -> None:
    payload = load("tracking_update_delivered_new_order")
    payload["msg"].update(destination_country_region=country, smses=[phone])
    no_default = Rules()  # the account's rules name no default region
    events = map_webhook(
        payload, account=ACCOUNT, order_of=unlinked, customer_of=nobody, rules=no_default
    ).events
    assert [e.customer.phone for e in events] == [expected]  # None: the e-mail alone


@pytest.mark.parametrize(
    ("slug", "name"),
    [
        ("ups", "UPS"),
        ("usps", "USPS"),  # four letters: still initials
        ("fedex", "FedEx"),
        ("canada-post", "Canada Post"),
        ("royal_mail", "Royal Mail"),
        ("", None),
    ],
)
def test_the_customer_reads_the_carriers_name_not_its_slug(slug: str, name: str | None) -> None:
    assert carrier_name(slug) == name
