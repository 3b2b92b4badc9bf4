"""The tracking poller on the running stack: an order of an account that polls
(config/intake.toml's ``polled-demo``) ships through the intake, the dispatcher starts the
shipment's poller, the sandbox's carrier scans the parcel out for delivery and the
customer hears of it by SMS, found by the poller alone (no EasyPost webhook is set up)."""

from __future__ import annotations

import time
import uuid

import httpx
from temporalio.client import Client
from temporalio.service import RPCError

from devstack.stack import Stack
from domain.events import Shipment
from domain.milestones import Kind
from tests.e2e.test_stack import all_final, history_when, new_phone, new_reference, sandbox_messages
from tests.helpers.events import order_event
from tests.helpers.temporal import assert_eventually
from workflows.tracking_poll_state import TrackingPollView, tracking_workflow_id
from workflows.tracking_poller import TrackingPollerWorkflow


async def poller_view(client: Client, workflow_id: str) -> TrackingPollView:
    try:
        return await client.get_workflow_handle(workflow_id).query(TrackingPollerWorkflow.status)
    except RPCError as error:  # not started yet
        raise AssertionError(str(error)) from error


async def test_a_shipped_order_hears_of_its_parcel_out_for_delivery_through_the_poller(
    stack: Stack, client: Client, sandbox: httpx.AsyncClient
) -> None:
    phone, reference = new_phone(), new_reference()
    code = f"1Z{uuid.uuid4().hex[:14].upper()}"
    told = await sandbox.post(
        "/sandbox/easypost/parcels",
        json={"tracking_code": code, "carrier": "UPS", "status": "in_transit"},
    )
    assert told.status_code == 201
    shipped = order_event("shipped", reference, phone=phone)
    shipped = shipped.model_copy(update={"shipment": Shipment(carrier="UPS", tracking_id=code)})
    async with httpx.AsyncClient(base_url=stack.settings.effective_public_base_url) as http:
        answer = await http.post(
            "/intake/events",
            json=shipped.model_dump(mode="json"),
            headers={"X-Herald-Account": "polled-demo"},
        )
    assert answer.status_code == 202 and answer.json()["accepted"] == 1
    await history_when(client, Kind.ORDER, reference, all_final(1))

    # The dispatcher started the poller; its first poll saw in_transit (the same shipped
    # milestone as the order's own event: no second SMS).
    workflow_id = tracking_workflow_id("UPS", code)

    async def first_poll_done() -> TrackingPollView:
        view = await poller_view(client, workflow_id)
        assert view.status == "in_transit" and view.tracker_id, view
        return view

    view = await assert_eventually(first_poll_done, timeout=30, interval=0.25)
    assert view.reference == reference

    scanned_at = time.monotonic()
    advanced = await sandbox.post(f"/sandbox/easypost/trackers/{view.tracker_id}/advance")
    assert advanced.json()["status"] == "out_for_delivery"
    history = await history_when(client, Kind.ORDER, reference, all_final(2))
    took = time.monotonic() - scanned_at
    assert [m.milestone.value for m in history.messages] == ["shipped", "out_for_delivery"]
    sms = await sandbox_messages(sandbox, phone)
    assert len(sms) == 2
    print(f"carrier scan to the customer's SMS through the poller: {took:.1f} s")

    # Delivered: the customer hears of it, and the poller stops with its reason.
    await sandbox.post(f"/sandbox/easypost/trackers/{view.tracker_id}/advance")
    await history_when(client, Kind.ORDER, reference, all_final(3))
    result = await client.get_workflow_handle(workflow_id).result()
    ended = TrackingPollView.model_validate(result)
    assert ended.ended == "the shipment is delivered" and ended.changes == 3
