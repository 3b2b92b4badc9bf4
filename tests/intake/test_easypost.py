"""EasyPost trackers: the SDK's signature check and one Tracker to at most one milestone,
found through the order its tracking code ships, as one event with Shopify's report of the
same milestone."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest

from domain.events import Customer, DeliveryProblem, MilestoneEvent
from domain.milestones import Milestone
from intake.carrier_statuses import load_carrier_statuses
from intake.source import PRIORITY_CRITICAL, PRIORITY_NORMAL, IntakeRefused
from intake.sources.easypost import EasyPostAccount, map_event, map_tracker, verify_event
from intake.sources.shopify import ShopifyAccount, map_webhook
from intake.validation import Rules
from store.tracked_shipments import ShipmentLink
from tests.intake.test_shopify import PAYLOADS as SHOPIFY_PAYLOADS

PAYLOADS = Path(__file__).parent / "payloads" / "easypost"
STATUSES = load_carrier_statuses(Path("config/carrier_statuses.toml"))
ACCOUNT = EasyPostAccount(name="warehouse", merchant="scarves", statuses=STATUSES.easypost)
CODE = "1Z999AA10123456784"
ORDER = "5610000001001"
LINK = ShipmentLink.of(
    tracking_code=CODE,
    carrier="UPS",
    kind="order",
    reference=ORDER,
    workflow_id=f"order-{ORDER}",
    source="shopify",
    account="scarves-and-co.myshopify.com",
    merchant="scarves",
)
KNOWN = Customer(name="Ana", phone="+14155550123", email="ana.lopez@example.com")


def load(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def linked(code: str, carrier: str | None) -> ShipmentLink | None:
    return LINK if code.upper() == CODE else None


def known(workflow_id: str) -> Customer | None:
    return KNOWN if workflow_id == LINK.workflow_id else None


def nobody(workflow_id: str) -> Customer | None:
    return None


def only_event(name: str, **overrides: Any) -> MilestoneEvent:
    kwargs: dict[str, Any] = {"account": ACCOUNT, "order_of": linked, "customer_of": known}
    mapped = map_event(load(name), **{**kwargs, **overrides})
    assert mapped.ignored is None
    [event] = mapped.events
    return event


def sign(body: bytes, secret: str) -> str:
    return "hmac-sha256-hex=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# --- signature ---------------------------------------------------------------------------


def test_a_signed_event_is_read_with_either_secret_of_a_rotation() -> None:
    body = (PAYLOADS / "tracker_updated_delivered.json").read_bytes()
    event = verify_event(body, sign(body, "new"), ["old", "new"])
    assert event is not None and event["id"] == "evt_0d4b1f6a2c3e4d5f8a9b0c1d2e3f4a53"


@pytest.mark.parametrize(
    "signature",
    [None, "", "hmac-sha256-hex=00", "not-a-signature", "hmac-sha256-hex=\u00e9"],
    ids=["missing", "empty", "wrong-digest", "no-prefix", "not-ascii"],
)
def test_a_missing_or_wrong_signature_is_refused(signature: str | None) -> None:
    body = (PAYLOADS / "tracker_updated_delivered.json").read_bytes()
    assert verify_event(body, signature, ["secret"]) is None


def test_a_signature_with_another_secret_or_over_another_body_is_refused() -> None:
    body = (PAYLOADS / "tracker_updated_delivered.json").read_bytes()
    assert verify_event(body, sign(body, "other"), ["secret"]) is None
    assert verify_event(body + b" ", sign(body, "secret"), ["secret"]) is None
    assert verify_event(body, sign(body, "secret"), [""]) is None  # an empty secret is none


def test_a_signed_body_that_is_no_json_raises_instead_of_passing_for_forged() -> None:
    with pytest.raises(ValueError):
        verify_event(b"{not json", sign(b"{not json", "s"), ["s"])


# --- mapping -------------------------------------------------------------------------------


def test_a_delivered_tracker_is_the_orders_delivered_milestone() -> None:
    event = only_event("tracker_updated_delivered")
    assert event.event_id == f"{ORDER}:delivered"
    assert (event.milestone, event.reference, event.workflow_id) == (
        Milestone.DELIVERED,
        ORDER,
        f"order-{ORDER}",
    )
    assert event.occurred_at.isoformat() == "2026-12-06T19:02:00+00:00"  # the delivery scan
    assert event.customer == KNOWN and event.merchant == "scarves"
    assert event.shipment is not None
    assert (event.shipment.carrier, event.shipment.tracking_id) == ("UPS", CODE)
    assert event.shipment.tracking_url and event.shipment.tracking_url.startswith("https://")
    assert event.detail is None and event.problem is None


def test_shopify_and_easypost_reporting_one_delivery_make_one_milestone() -> None:
    shopify = map_webhook(
        "fulfillment_events/create",
        "scarves-and-co.myshopify.com",
        json.loads((SHOPIFY_PAYLOADS / "fulfillment_events_create_delivered.json").read_text()),
        account=ShopifyAccount(shop="scarves-and-co.myshopify.com", merchant="scarves"),
        customer_of=lambda order_id: KNOWN,
    ).events
    easypost = only_event("tracker_updated_delivered")
    assert [e.event_id for e in shopify] == [easypost.event_id]
    # In transit is what Shopify's fulfillment said: shipped, the same event id.
    assert only_event("tracker_updated_in_transit").event_id == f"{ORDER}:shipped"


def test_shopify_and_easypost_reporting_one_delay_make_one_milestone() -> None:
    """One weather delay: EasyPost's tracker (its run of delay scans began 2026-12-05)
    and Shopify's fulfillment event that day make one event, so one message."""
    easypost = only_event("tracker_updated_weather_delay")
    payload = json.loads((SHOPIFY_PAYLOADS / "fulfillment_events_create_delayed.json").read_text())
    payload.update(order_id=int(ORDER), happened_at="2026-12-05T23:40:00+00:00")
    shopify = map_webhook(
        "fulfillment_events/create",
        "scarves-and-co.myshopify.com",
        payload,
        account=ShopifyAccount(shop="scarves-and-co.myshopify.com", merchant="scarves"),
        customer_of=lambda order_id: KNOWN,
    ).events
    assert [e.event_id for e in shopify] == [easypost.event_id]


def test_out_for_delivery_carries_the_estimate() -> None:
    event = only_event("tracker_updated_out_for_delivery")
    assert event.milestone is Milestone.OUT_FOR_DELIVERY
    assert event.shipment is not None and event.shipment.estimated_arrival is not None
    assert event.shipment.estimated_arrival.isoformat() == "2026-12-06T23:59:00+00:00"


def test_a_delay_is_told_once_while_it_lasts_and_again_when_a_new_one_starts() -> None:
    first = only_event("tracker_updated_weather_delay")
    assert first.milestone is Milestone.DELAYED and first.problem is DeliveryProblem.DELAYED
    assert first.detail == "Severe weather conditions have delayed delivery."
    # Its id names the first scan of the delay, its time the latest.
    assert first.event_id == f"{ORDER}:delayed:20261205"
    assert first.occurred_at.isoformat() == "2026-12-06T08:10:00+00:00"
    later_scan = load("tracker_updated_weather_delay")
    details = later_scan["result"]["tracking_details"]
    details.append({**details[-1], "datetime": "2026-12-06T15:00:00Z"})
    assert (
        map_event(later_scan, account=ACCOUNT, order_of=linked, customer_of=known)
        .events[0]
        .event_id
        == first.event_id
    )
    # Moving again, then delayed again: a new delay, a new event.
    details.append({**details[3], "datetime": "2026-12-07T09:00:00Z"})
    details.append({**details[-2], "datetime": "2026-12-07T18:00:00Z"})
    again = map_event(later_scan, account=ACCOUNT, order_of=linked, customer_of=known).events[0]
    assert again.event_id == f"{ORDER}:delayed:20261207"


def test_a_lost_parcel_is_an_exception_saying_lost() -> None:
    event = only_event("tracker_updated_lost")
    assert (event.milestone, event.problem) == (Milestone.EXCEPTION, DeliveryProblem.LOST)
    assert event.detail and "lost" in event.detail


def test_a_label_not_moving_yet_and_other_events_tell_nothing() -> None:
    pre = map_event(
        load("tracker_created_pre_transit"), account=ACCOUNT, order_of=linked, customer_of=known
    )
    assert pre.events == [] and pre.ignored and "tells the customer nothing" in pre.ignored
    batch = map_event(load("batch_created"), account=ACCOUNT, order_of=linked, customer_of=known)
    assert (
        batch.events == [] and batch.ignored == "EasyPost event 'batch.created' is not a tracker's"
    )


def test_a_milestone_the_accounts_rules_leave_out_is_ignored_before_any_look_up() -> None:
    asked: list[str] = []

    def order_of(code: str, carrier: str | None) -> ShipmentLink | None:
        asked.append(code)
        return None  # were it asked, an unknown code would be a dead letter

    mapped = map_event(
        load("tracker_updated_out_for_delivery"),
        account=ACCOUNT,
        order_of=order_of,
        customer_of=known,
        rules=Rules(milestones=frozenset({Milestone.DELIVERED})),
    )
    assert (
        mapped.events == [] and mapped.ignored == "account warehouse does not use out_for_delivery"
    )
    assert asked == []


def test_map_tracker_takes_the_tracker_alone_as_the_poller_fetches_it() -> None:
    tracker = load("tracker_updated_delivered")["result"]
    mapped = map_tracker(tracker, account=ACCOUNT, order_of=linked, customer_of=known)
    assert [e.event_id for e in mapped.events] == [f"{ORDER}:delivered"]


# --- what cannot be notified ---------------------------------------------------------------


def test_an_unknown_tracking_code_is_refused_with_what_to_do() -> None:
    with pytest.raises(IntakeRefused) as refused:
        map_event(
            load("tracker_updated_unknown_code"),
            account=ACCOUNT,
            order_of=linked,
            customer_of=known,
        )
    assert "9400111899223197428490 is not linked to an order yet" in refused.value.reason
    assert "replay once" in refused.value.reason
    assert refused.value.priority == PRIORITY_NORMAL  # delivered: not a problem milestone


def test_a_known_order_without_a_known_customer_is_refused() -> None:
    with pytest.raises(IntakeRefused) as refused:
        map_event(
            load("tracker_updated_lost"), account=ACCOUNT, order_of=linked, customer_of=nobody
        )
    assert refused.value.reason.endswith(f"for order {ORDER}: no customer known for it")
    assert refused.value.priority == PRIORITY_CRITICAL


def test_a_status_the_table_does_not_know_is_refused_but_an_unknown_detail_falls_back() -> None:
    payload = load("tracker_updated_delivered")
    payload["result"]["status_detail"] = "some_new_detail"
    assert (
        only_event("tracker_updated_delivered").event_id
        == map_event(payload, account=ACCOUNT, order_of=linked, customer_of=known)
        .events[0]
        .event_id
    )
    payload["result"]["status"] = "teleported"
    with pytest.raises(IntakeRefused, match="status 'teleported' is not in config"):
        map_event(payload, account=ACCOUNT, order_of=linked, customer_of=known)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda p: p.update(result=None), "has no tracker"),
        (lambda p: p["result"].pop("tracking_code"), "has no tracking_code"),
        (lambda p: p["result"].update(tracking_code="  "), "has no tracking_code"),
        (
            lambda p: p["result"].update(tracking_details=[], updated_at="yesterday"),
            "has no valid time",
        ),
        (lambda p: p["result"].update(tracking_details="oops"), None),  # falls back: updated_at
    ],
    ids=["no-result", "no-code", "blank-code", "no-time", "details-not-a-list"],
)
def test_malformed_trackers(change: Any, reason: str | None) -> None:
    payload = copy.deepcopy(load("tracker_updated_delivered"))
    change(payload)
    if reason is None:
        [event] = map_event(payload, account=ACCOUNT, order_of=linked, customer_of=known).events
        assert event.occurred_at.isoformat() == "2026-12-06T19:02:30+00:00"
        return
    with pytest.raises(IntakeRefused, match=reason):
        map_event(payload, account=ACCOUNT, order_of=linked, customer_of=known)


def test_a_payload_that_is_no_object_is_refused() -> None:
    with pytest.raises(IntakeRefused, match="not a JSON object"):
        map_event([1, 2], account=ACCOUNT, order_of=linked, customer_of=known)


def test_a_tracking_code_shipping_a_return_is_ignored() -> None:
    def a_return(code: str, carrier: str | None) -> ShipmentLink:
        return ShipmentLink(**{**LINK.__dict__, "kind": "return", "workflow_id": "return-1"})

    mapped = map_event(
        load("tracker_updated_delivered"), account=ACCOUNT, order_of=a_return, customer_of=known
    )
    assert mapped.events == [] and mapped.ignored == f"tracking code {CODE} ships a return"


@pytest.mark.parametrize(
    ("account_merchant", "link_merchant", "goes_through"),
    [
        ("scarves", "scarves", True),
        ("hats", "scarves", False),  # another merchant's signed account: not its shipment
        (None, "scarves", True),  # one tenant: the account names no merchant
        ("hats", None, True),  # a link from a source that named no merchant
    ],
)
def test_a_tracker_account_reports_only_on_its_own_merchants_shipments(
    account_merchant: str | None, link_merchant: str | None, goes_through: bool
) -> None:
    account = ACCOUNT.model_copy(update={"merchant": account_merchant})
    link = dataclasses.replace(LINK, merchant=link_merchant)
    payload = load("tracker_updated_delivered")
    if goes_through:
        mapped = map_event(payload, account=account, order_of=lambda c, k: link, customer_of=known)
        assert [e.reference for e in mapped.events] == [ORDER]
        return
    with pytest.raises(IntakeRefused, match="ships another merchant's order") as refused:
        map_event(payload, account=account, order_of=lambda c, k: link, customer_of=known)
    assert ORDER not in refused.value.reason  # the reason goes back to the sender
