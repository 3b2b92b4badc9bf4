"""The tracking poller's activities against the sandbox's EasyPost API, through the real
``easypost`` SDK, and a real store: what each EasyPost answer becomes, and what a change
leaves in the intake (an inbox row once, or a dead letter)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from easypost.errors import HttpError
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.tracking import (
    REFUSED,
    EnsureTrackerInput,
    PollTrackerInput,
    TrackingActivities,
)
from config.settings import Settings
from domain.milestones import Milestone
from intake.handoff import keep_events
from intake.tracking_polls import SOURCE
from store.repository import Store
from tests.helpers.events import order_event
from tests.helpers.temporal import settings_for_tests
from tests.sandbox.conftest import RunningSandbox
from tests.store.conftest import store  # noqa: F401


@pytest.fixture
def settings(sandbox: RunningSandbox) -> Settings:
    return settings_for_tests(sandbox_port=sandbox.settings.sandbox_port)


@pytest.fixture
def tracking(settings: Settings, store: Store) -> TrackingActivities:  # noqa: F811
    return TrackingActivities(settings, store)


def tell_carrier(sandbox: RunningSandbox, status: str = "in_transit") -> str:
    code = f"1Z{uuid.uuid4().hex[:14].upper()}"
    told = sandbox.http.post(
        "/sandbox/easypost/parcels",
        json={"tracking_code": code, "carrier": "UPS", "status": status},
    )
    told.raise_for_status()
    return code


def shipped_order(intake: Store, code: str) -> str:
    """An order whose shipped event came through the intake (so its customer is known)."""
    event = order_event("shipped")
    event = event.model_copy(
        update={"shipment": event.shipment.model_copy(update={"tracking_id": code})}
    )
    keep_events(intake, "generic", "polled-demo", "event", [event], datetime.now(UTC))
    return event.reference


async def refusal_of(call: object) -> ApplicationError:
    with pytest.raises(ApplicationError) as refused:
        await call  # type: ignore[misc]
    assert refused.value.type == REFUSED and refused.value.non_retryable
    return refused.value


async def test_ensuring_a_tracker_twice_is_one_tracker(
    tracking: TrackingActivities, sandbox: RunningSandbox
) -> None:
    code, env = tell_carrier(sandbox), ActivityEnvironment()
    first = await env.run(
        tracking.ensure_tracker, EnsureTrackerInput(carrier="UPS", tracking_code=code)
    )
    again = await env.run(
        tracking.ensure_tracker, EnsureTrackerInput(carrier="UPS", tracking_code=code)
    )
    assert again.tracker_id == first.tracker_id and first.status == "in_transit"
    listed = sandbox.http.get("/sandbox/easypost/trackers", params={"tracking_code": code})
    assert len(listed.json()["trackers"]) == 1


async def test_an_unknown_tracking_code_is_refused_for_good(tracking: TrackingActivities) -> None:
    refused = await refusal_of(
        ActivityEnvironment().run(
            tracking.ensure_tracker, EnsureTrackerInput(carrier="USPS", tracking_code="NOT-A-CODE")
        )
    )
    assert "422 TRACKER.CREATE.ERROR" in refused.message


async def test_a_key_easypost_does_not_know_is_refused_for_good(
    settings: Settings,
    store: Store,  # noqa: F811
) -> None:
    wrong = settings_for_tests(
        easypost_api_key="EZAKsomeoneelse",
        easypost_api_base_url=settings.effective_easypost_api_base_url,  # still the sandbox
    )
    refused = await refusal_of(
        ActivityEnvironment().run(
            TrackingActivities(wrong, store).ensure_tracker,
            EnsureTrackerInput(carrier="USPS", tracking_code="EZ1000000001"),
        )
    )
    assert "401 APIKEY.INACTIVE" in refused.message


async def test_easypost_unreachable_is_retried_not_refused(store: Store) -> None:  # noqa: F811
    away = settings_for_tests(easypost_api_base_url="http://127.0.0.1:9/v2")
    with pytest.raises(HttpError):  # not an ApplicationError: Temporal retries it
        await ActivityEnvironment().run(
            TrackingActivities(away, store).ensure_tracker,
            EnsureTrackerInput(carrier="USPS", tracking_code="EZ1000000001"),
        )


async def test_a_change_is_kept_once_for_the_order_and_an_unchanged_tracker_not_at_all(
    tracking: TrackingActivities,
    sandbox: RunningSandbox,
    store: Store,  # noqa: F811
) -> None:
    code = tell_carrier(sandbox)
    reference = shipped_order(store, code)
    env = ActivityEnvironment()
    found = await env.run(
        tracking.ensure_tracker, EnsureTrackerInput(carrier="UPS", tracking_code=code)
    )
    poll = PollTrackerInput(
        tracker_id=found.tracker_id,
        known_status="in_transit",
        known_detail="status_update",
        reference=reference,
    )
    quiet = await env.run(tracking.poll_tracker, poll)
    assert not quiet.changed and quiet.kept == 0

    sandbox.http.post(f"/sandbox/easypost/trackers/{found.tracker_id}/advance").raise_for_status()
    moved = await env.run(tracking.poll_tracker, poll)
    assert (moved.changed, moved.status, moved.kept) == (True, "out_for_delivery", 1)
    [row] = [r for r in store.intake_inbox.due(datetime.now(UTC), 50) if r.source == SOURCE]
    assert row.workflow_id == f"order-{reference}"
    assert row.event_id == f"{reference}:{Milestone.OUT_FOR_DELIVERY.value}"
    assert row.dedupe_key.startswith(f"{SOURCE}:default:{found.tracker_id}:out_for_delivery")

    # The same change again (a retried activity, a poller that lost its answer): one row.
    again = await env.run(tracking.poll_tracker, poll)
    assert again.changed and again.kept == 0
    assert (
        len([r for r in store.intake_inbox.due(datetime.now(UTC), 50) if r.source == SOURCE]) == 1
    )


async def test_a_change_for_an_order_without_a_known_customer_is_a_dead_letter(
    tracking: TrackingActivities,
    sandbox: RunningSandbox,
    store: Store,  # noqa: F811
) -> None:
    code, env = tell_carrier(sandbox, "out_for_delivery"), ActivityEnvironment()
    found = await env.run(
        tracking.ensure_tracker, EnsureTrackerInput(carrier="UPS", tracking_code=code)
    )
    polled = await env.run(
        tracking.poll_tracker, PollTrackerInput(tracker_id=found.tracker_id, reference="never-seen")
    )
    assert polled.changed and polled.kept == 0
    assert polled.note is not None and polled.note.startswith("dead letter")
    [letter] = store.dead_letters.list(10)
    assert letter.source == SOURCE


async def test_a_status_that_tells_the_customer_nothing_keeps_nothing(
    tracking: TrackingActivities,
    sandbox: RunningSandbox,
    store: Store,  # noqa: F811
) -> None:
    code = tell_carrier(sandbox, "pre_transit")
    reference, env = shipped_order(store, code), ActivityEnvironment()
    found = await env.run(
        tracking.ensure_tracker, EnsureTrackerInput(carrier="UPS", tracking_code=code)
    )
    polled = await env.run(
        tracking.poll_tracker, PollTrackerInput(tracker_id=found.tracker_id, reference=reference)
    )
    assert polled.changed and polled.kept == 0 and polled.note  # ignored, and why
    assert store.dead_letters.open_count() == 0


async def test_a_tracker_easypost_does_not_have_is_refused(tracking: TrackingActivities) -> None:
    refused = await refusal_of(
        ActivityEnvironment().run(
            tracking.poll_tracker, PollTrackerInput(tracker_id="trk_" + "0" * 32, reference="r")
        )
    )
    assert "404 NOT_FOUND" in refused.message
