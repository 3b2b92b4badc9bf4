"""Tracked shipments: a tracking code finds its order whichever way a source spells the code
or the carrier; a code named again moves to the order named last and keeps its tracker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from store.repository import Store
from store.tracked_shipments import ShipmentLink, carrier_key, tracking_key

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def link(code: str, carrier: str | None, reference: str = "1001") -> ShipmentLink:
    return ShipmentLink.of(
        tracking_code=code,
        carrier=carrier,
        kind="order",
        reference=reference,
        workflow_id=f"order-{reference}",
        source="shopify",
        account="shop-1",
        merchant="acme",
    )


def test_keys_ignore_case_spaces_and_punctuation() -> None:
    assert carrier_key("DHL Express") == carrier_key("DHLExpress") == "dhlexpress"
    assert carrier_key(None) == carrier_key("") == ""
    assert tracking_key(" 1z 999aa1 ") == "1Z999AA1"


def test_a_code_is_found_with_or_without_its_carrier(store: Store) -> None:
    store.tracked_shipments.record([link("1z999aa10123456784", "UPS")], NOW)
    found = store.tracked_shipments.find("1Z999AA10123456784")
    assert found is not None and found.workflow_id == "order-1001" and found.carrier == "ups"
    assert found.merchant == "acme" and found.easypost_tracker_id is None
    # Another source's spelling of the carrier still finds the one shipment with the code.
    assert store.tracked_shipments.find("1Z999AA10123456784", "U.P.S") == found
    assert store.tracked_shipments.find("1Z999AA10123456785") is None


def test_the_carrier_decides_between_two_shipments_sharing_a_code(store: Store) -> None:
    store.tracked_shipments.record([link("9400", "USPS", "1")], NOW)
    store.tracked_shipments.record([link("9400", "FedEx", "2")], NOW + timedelta(seconds=1))
    usps = store.tracked_shipments.find("9400", "usps")
    assert usps is not None and usps.reference == "1"
    unnamed = store.tracked_shipments.find("9400")  # no carrier: the one named last
    assert unnamed is not None and unnamed.reference == "2"
    other = store.tracked_shipments.find("9400", "DHL")
    assert other is not None and other.reference == "2"


def test_a_code_named_again_moves_to_the_later_order_and_keeps_its_tracker(
    store: Store,
) -> None:
    store.tracked_shipments.record([link("EZ1", "USPS", "1")], NOW)
    assert store.tracked_shipments.attach_tracker("ez1", "USPS", "trk_1")
    store.tracked_shipments.record([link("EZ1", "USPS", "2")], NOW + timedelta(days=90))
    found = store.tracked_shipments.by_tracker("trk_1")
    assert found is not None and found.reference == "2" and found.easypost_tracker_id == "trk_1"
    assert store.tracked_shipments.for_order("order-1") == []
    assert [s.tracking_code for s in store.tracked_shipments.for_order("order-2")] == ["EZ1"]


def test_a_payload_naming_one_code_twice_is_one_row(store: Store) -> None:
    store.tracked_shipments.record([link("EZ2", "USPS", "1"), link("ez2", "usps", "1")], NOW)
    assert len(store.tracked_shipments.for_order("order-1")) == 1


def test_a_code_past_100_characters_is_skipped_not_failing(store: Store) -> None:
    store.tracked_shipments.record([link("A" * 101, "USPS"), link("A" * 100, "USPS")], NOW)
    assert store.tracked_shipments.find("A" * 101) is None
    assert store.tracked_shipments.find("A" * 100) is not None


def test_a_tracker_is_attached_once_to_a_known_code_only(store: Store) -> None:
    assert not store.tracked_shipments.attach_tracker("UNKNOWN", None, "trk_0")
    assert store.tracked_shipments.by_tracker("trk_0") is None
    store.tracked_shipments.record([link("EZ3", "USPS", "1"), link("EZ4", "USPS", "1")], NOW)
    assert [s.tracking_code for s in store.tracked_shipments.without_tracker(10)] == [
        "EZ3",
        "EZ4",
    ]
    assert store.tracked_shipments.attach_tracker("EZ3", "USPS", "trk_3")
    assert store.tracked_shipments.attach_tracker("EZ3", "USPS", "trk_3")  # again: the same
    # EasyPost names the tracker on another code: the id moves (it is unique).
    assert store.tracked_shipments.attach_tracker("EZ4", "USPS", "trk_3")
    moved = store.tracked_shipments.by_tracker("trk_3")
    assert moved is not None and moved.tracking_code == "EZ4"
    assert [s.tracking_code for s in store.tracked_shipments.without_tracker(10)] == ["EZ3"]
