"""The intake benchmark's sources speak each route as the stack checks it: a bench whose
requests were refused (a signature, a shape the mapping moved away from) would measure
401s and dead letters instead of a spike, so each kind of request is sent to the real
routes here, in process, with the credentials the bench gives its stack."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.intake import create_intake_router
from bench.intake import SENDER_CREDENTIALS
from bench.intake_carriers import AfterShipSource, EasyPostSource
from bench.intake_sources import GenericSource, Offer, Order, ShopifySource
from domain.events import MilestoneEvent
from store.repository import Store
from tests.helpers.temporal import settings_for_tests

ORDER_SOURCES = [GenericSource, ShopifySource]
CARRIERS = [ShopifySource, EasyPostSource, AfterShipSource]


@pytest.fixture
def http(store: Store, tmp_path: Path) -> TestClient:
    settings = settings_for_tests(data_dir=tmp_path, **SENDER_CREDENTIALS)
    app = FastAPI()
    # No lifespan (no ``with``): the dispatcher does not run, the events stay in the inbox.
    app.include_router(create_intake_router(settings, store, client=None))  # type: ignore[arg-type]
    return TestClient(app)


def send(http: TestClient, offer: Offer) -> dict[str, object]:
    answer = http.post(offer.path, content=offer.body, headers=offer.headers)
    assert answer.status_code in (200, 202, 422), answer.text
    body: dict[str, object] = answer.json()
    return body


def kept(store: Store) -> list[MilestoneEvent]:
    rows = store.intake_inbox.due(datetime.now(UTC), 1000)
    return [MilestoneEvent.model_validate_json(row.event_json) for row in rows]


def new_order(serial: int) -> Order:
    reference = str(7_000_000_000_000 + serial)
    return Order(reference, f"+1415555{serial:04d}", f"b{reference}@example.com", "")


@pytest.mark.parametrize("source_type", ORDER_SOURCES)
def test_an_order_source_starts_and_ships_an_order_that_names_its_tracking_code(
    http: TestClient, store: Store, source_type: type[GenericSource | ShopifySource]
) -> None:
    source, order = source_type(), new_order(1)
    first, shipped = source.new_order(order), source.next_step(order, "shipped")
    assert send(http, first) == {"accepted": 1, "duplicates": 0}
    assert send(http, shipped) == {"accepted": 1, "duplicates": 0}
    # A redelivery is the same request again: kept once.
    assert send(http, shipped) == {"accepted": 0, "duplicates": 1}
    confirmed, shipping = kept(store)
    assert (confirmed.workflow_id, confirmed.milestone.value) == (order.workflow_id, "confirmed")
    assert confirmed.customer.phone == order.phone
    assert shipping.milestone.value == "shipped"
    assert shipping.shipment is not None and shipping.shipment.tracking_id == order.tracking_code
    assert store.tracked_shipments.find(order.tracking_code) is not None


@pytest.mark.parametrize("carrier_type", CARRIERS)
def test_a_carrier_reports_out_for_delivery_for_the_order_its_code_ships(
    http: TestClient,
    store: Store,
    carrier_type: type[ShopifySource | EasyPostSource | AfterShipSource],
) -> None:
    order = new_order(2)
    for offer in (GenericSource().new_order(order), GenericSource().next_step(order, "shipped")):
        send(http, offer)
    update = carrier_type().out_for_delivery(order)
    assert send(http, update) == {"accepted": 1, "duplicates": 0}
    assert send(http, update)["duplicates"] == 1  # the same webhook id again
    event = kept(store)[-1]
    assert (event.workflow_id, event.milestone.value) == (order.workflow_id, "out_for_delivery")
    assert event.customer.phone == order.phone  # the customer the order's events named


@pytest.mark.parametrize(
    "source_type", [GenericSource, ShopifySource, EasyPostSource, AfterShipSource]
)
def test_each_malformed_payload_is_its_own_dead_letter_and_nothing_is_kept(
    http: TestClient,
    store: Store,
    source_type: type[GenericSource | ShopifySource | EasyPostSource | AfterShipSource],
) -> None:
    source = source_type()
    letters = {send(http, source.malformed(serial)).get("dead_letter") for serial in (1, 2)}
    assert None not in letters and len(letters) == 2
    assert store.dead_letters.open_count() == 2
    assert kept(store) == []
