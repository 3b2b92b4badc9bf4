"""The tracking poller on the time-skipping server: its interval's back-off and boundaries,
when it stops, EasyPost's refusals and hiccups, continue-as-new and support's query.

EasyPost is a stand-in registered under the activities' names: each poll answers the next
scripted status and records when it was scheduled (the server's skipped clock).
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from temporalio import activity
from temporalio.client import WorkflowHandle
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from activities.tracking import (
    REFUSED,
    EnsureTrackerInput,
    PollTrackerInput,
    TrackerFound,
    TrackerPolled,
)
from starter.tracking import start_tracking_poller
from tests.helpers.temporal import new_worker
from workflows import search_attributes as attrs
from workflows.tracking_poll_state import (
    TrackingPollPolicy,
    TrackingPollStart,
    TrackingPollView,
    next_interval,
    tracking_workflow_id,
)
from workflows.tracking_poller import TrackingPollerWorkflow

# The moving cap at the stale one: these tests are about the doubling, the due cap and the
# stops; the moving and stale caps have their own below.
POLICY = TrackingPollPolicy(
    initial_seconds=120,
    moving_max_seconds=900,
    max_seconds=900,
    due_max_seconds=300,
    max_age_seconds=30 * 86400,
)


@dataclass
class FakeEasyPost:
    """Statuses the tracker shows, one per poll; the last one stays."""

    statuses: list[str]
    refuse_create: bool = False
    refuse_poll_at: int | None = None  # the poll (0-based) EasyPost answers with a 4xx
    fail_poll_at: int | None = None  # the poll whose first attempt meets a 503
    created: int = 0
    polls: list[PollTrackerInput] = field(default_factory=list)
    polled_at: list[datetime] = field(default_factory=list)
    attempts: int = 0

    def activities(self) -> list:
        @activity.defn(name="ensure_tracker")
        async def ensure_tracker(request: EnsureTrackerInput) -> TrackerFound:
            self.created += 1
            if self.refuse_create:
                raise ApplicationError(
                    "EasyPost refused (422 TRACKER.CREATE.ERROR): not a test tracking number",
                    type=REFUSED,
                    non_retryable=True,
                )
            return TrackerFound(tracker_id="trk_" + "1" * 32, status=self.statuses[0])

        @activity.defn(name="poll_tracker")
        async def poll_tracker(request: PollTrackerInput) -> TrackerPolled:
            self.attempts += 1
            index = len(self.polls)
            if index == self.fail_poll_at and activity.info().attempt == 1:
                raise RuntimeError("503 Service Unavailable")
            if index == self.refuse_poll_at:
                raise ApplicationError(
                    "EasyPost refused (404 NOT_FOUND)", type=REFUSED, non_retryable=True
                )
            self.polls.append(request)
            self.polled_at.append(activity.info().current_attempt_scheduled_time)
            status = self.statuses[min(index, len(self.statuses) - 1)]
            return TrackerPolled(status=status, changed=status != request.known_status, kept=1)

        return [ensure_tracker, poll_tracker]

    def gaps(self) -> list[float]:
        times = self.polled_at
        return [round((b - a).total_seconds()) for a, b in itertools.pairwise(times)]


def start_for(policy: TrackingPollPolicy = POLICY) -> TrackingPollStart:
    return TrackingPollStart(
        carrier="USPS",
        tracking_code=f"EZ{uuid.uuid4().hex[:10].upper()}",
        reference=f"order-{uuid.uuid4().hex[:6]}",
        policy=policy,
    )


async def run_poller(
    env: WorkflowEnvironment, fake: FakeEasyPost, start: TrackingPollStart
) -> tuple[TrackingPollView, WorkflowHandle]:
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await env.client.start_workflow(
            TrackingPollerWorkflow.run,
            start,
            id=tracking_workflow_id(start.carrier, start.tracking_code),
            task_queue=worker.task_queue,
        )
        return await handle.result(), handle


# ---- the interval rule, pure -------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "changed", "expected"),
    [
        (120, True, 120),  # a change: short again
        (900, True, 120),
        (120, False, 240),  # quiet: doubled
        (449, False, 898),  # just under the cap
        (450, False, 900),  # exactly the cap
        (451, False, 900),  # over it: the cap
        (900, False, 900),
    ],
)
def test_the_interval_doubles_to_the_cap_and_resets_on_a_change(
    current: float, changed: bool, expected: float
) -> None:
    assert next_interval(current, changed, POLICY) == expected


@pytest.mark.parametrize(
    ("current", "status", "expected"),
    [
        (120, "out_for_delivery", 240),
        (149, "out_for_delivery", 298),  # just under the lower cap
        (150, "out_for_delivery", 300),  # exactly it
        (151, "available_for_pickup", 300),  # over it
        (151, "in_transit", 302),  # not due: the usual cap
    ],
)
def test_a_due_delivery_is_polled_under_a_lower_cap(
    current: float, status: str, expected: float
) -> None:
    assert next_interval(current, False, POLICY, status) == expected


def test_the_lower_cap_never_goes_under_the_initial_interval() -> None:
    slow = POLICY.model_copy(update={"initial_seconds": 600, "due_max_seconds": 300})
    assert next_interval(600, False, slow, "out_for_delivery") == 600


STALE_POLICY = TrackingPollPolicy(
    initial_seconds=120,
    moving_max_seconds=480,
    stale_after_seconds=3000,
    max_seconds=3600,
    due_max_seconds=900,
    max_age_seconds=9720,
)


@pytest.mark.parametrize(
    ("current", "status", "quiet", "expected"),
    [
        (240, "in_transit", 0, 480),  # moving: doubled up to the moving cap
        (480, "in_transit", 2999, 480),  # a second before stale: still the moving cap
        (480, "in_transit", 3000, 960),  # exactly stale: the doubling goes on
        (2400, "in_transit", 10_000, 3600),  # stale: the stale cap
        (2400, "out_for_delivery", 10_000, 900),  # stale but due: the due cap
        (480, "out_for_delivery", 0, 480),  # moving and due: the lower of the two
    ],
)
def test_a_moving_shipment_is_capped_low_and_only_a_stale_one_backs_off_further(
    current: float, status: str, quiet: float, expected: float
) -> None:
    assert next_interval(current, False, STALE_POLICY, status, quiet) == expected


def test_no_cap_is_under_the_initial_interval() -> None:
    slow = STALE_POLICY.model_copy(update={"initial_seconds": 600})
    assert next_interval(600, False, slow, "in_transit", 0) == 600


def test_one_poller_per_shipment_whatever_the_codes_spelling() -> None:
    assert tracking_workflow_id("USPS", "ez1000 000001") == "tracking:usps:EZ1000000001"
    assert tracking_workflow_id("DHL Express", "1") == tracking_workflow_id("dhl-express", "1")


# ---- the workflow --------------------------------------------------------------------------


async def test_quiet_shipments_are_polled_less_often_and_a_change_resets_it(
    env: WorkflowEnvironment,
) -> None:
    statuses = ["in_transit"] * 6 + ["out_for_delivery"] * 4 + ["delivered"]
    fake = FakeEasyPost(statuses)
    view, _ = await run_poller(env, fake, start_for())
    # in_transit seen (a change from nothing): 120; quiet: 240, 480, 900 (capped), 900,
    # 900; out_for_delivery: 120 again; quiet: 240, then 300 (due: the lower cap), 300;
    # delivered: the end.
    assert fake.gaps() == [120, 240, 480, 900, 900, 900, 120, 240, 300, 300]
    assert [p.known_status for p in fake.polls][:2] == [None, "in_transit"]
    assert view.ended == "the shipment is delivered"
    assert (view.polls, view.changes, view.status, view.next_poll_at) == (11, 3, "delivered", None)
    assert fake.created == 1


async def test_a_change_is_seen_within_the_moving_cap_until_the_shipment_goes_stale(
    env: WorkflowEnvironment,
) -> None:
    fake = FakeEasyPost(["in_transit"])
    view, _ = await run_poller(env, fake, start_for(STALE_POLICY))
    # Polls at 0 (in_transit: a change), 120, 360, then every 480 s (the moving cap: a
    # scan is seen within 8 minutes) up to 3240 s, the first poll 3000 s or more after the
    # change: stale, so 960, 1920, then the 3600 s cap; the poll at 9720 s is the last.
    assert fake.gaps() == [120, 240, 480, 480, 480, 480, 480, 480, 960, 1920, 3600]
    assert view.polls == 12 and view.ended is not None


@pytest.mark.parametrize("final", ["delivered", "return_to_sender", "failure", "cancelled"])
async def test_a_final_status_stops_the_poller(env: WorkflowEnvironment, final: str) -> None:
    fake = FakeEasyPost(["in_transit", final])
    view, _ = await run_poller(env, fake, start_for())
    assert view.ended == f"the shipment is {final}" and view.polls == 2


async def test_a_status_that_is_not_final_keeps_it_polling(env: WorkflowEnvironment) -> None:
    # available_for_pickup and error are not final: the customer may still collect it
    fake = FakeEasyPost(["available_for_pickup", "error", "delivered"])
    view, _ = await run_poller(env, fake, start_for())
    assert view.polls == 3 and view.status == "delivered"


@pytest.mark.parametrize(("max_age", "polls"), [(1740, 5), (1739, 5), (1741, 6)])
async def test_the_poller_gives_up_at_the_max_age(
    env: WorkflowEnvironment, max_age: float, polls: int
) -> None:
    # Polls at 0, 120, 360, 840, 1740 (the wait capped at 900), 2640 s: a poll at or past
    # the max age is the last, so the fifth at 1740 s stops it at 1740 s and at 1739 s;
    # with 1741 s the sixth does.
    policy = POLICY.model_copy(update={"max_age_seconds": max_age})
    fake = FakeEasyPost(["pre_transit"])
    view, _ = await run_poller(env, fake, start_for(policy))
    assert view.polls == polls
    assert view.ended is not None and view.ended.startswith("no final status after")


async def test_an_unknown_tracking_code_ends_the_poller_with_easyposts_reason(
    env: WorkflowEnvironment,
) -> None:
    fake = FakeEasyPost(["in_transit"], refuse_create=True)
    view, _ = await run_poller(env, fake, start_for())
    assert view.ended is not None and "TRACKER.CREATE.ERROR" in view.ended
    assert (view.polls, view.tracker_id, fake.created) == (0, None, 1)  # refused: asked once


async def test_a_tracker_refused_later_ends_the_poller(env: WorkflowEnvironment) -> None:
    fake = FakeEasyPost(["in_transit"], refuse_poll_at=2)
    view, _ = await run_poller(env, fake, start_for())
    assert view.ended == "EasyPost refused (404 NOT_FOUND)" and view.polls == 2


async def test_easypost_away_is_retried_not_the_end(env: WorkflowEnvironment) -> None:
    fake = FakeEasyPost(["in_transit", "in_transit", "delivered"], fail_poll_at=1)
    view, _ = await run_poller(env, fake, start_for())
    assert view.ended == "the shipment is delivered" and view.polls == 3
    assert fake.attempts == 4  # the second poll's first attempt failed, its retry answered


async def test_a_long_quiet_poll_continues_as_new_with_its_state(env: WorkflowEnvironment) -> None:
    policy = TrackingPollPolicy(
        initial_seconds=60, max_seconds=60, max_age_seconds=86400, history_event_limit=50
    )
    fake = FakeEasyPost(["in_transit"] * 14 + ["delivered"])
    view, handle = await run_poller(env, fake, start_for(policy))
    assert view.runs >= 2 and view.polls == 15 and view.changes == 2
    assert fake.created == 1  # the next run kept the tracker: no second create
    assert fake.gaps() == [60] * 14  # the interval carried across the hand-over
    first_run = env.client.get_workflow_handle(handle.id, run_id=handle.first_execution_run_id)
    events = [e async for e in first_run.fetch_history_events()]
    assert events[-1].HasField("workflow_execution_continued_as_new_event_attributes")
    # Checked after each poll: past the limit by at most one poll's events (timer, task,
    # activity: 14 at most).
    assert 50 <= len(events) < 50 + 14


async def test_support_sees_the_status_the_next_poll_and_the_count(
    env: WorkflowEnvironment,
) -> None:
    fake = FakeEasyPost(["in_transit"])
    start = start_for()
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await env.client.start_workflow(
            TrackingPollerWorkflow.run,
            start,
            id=tracking_workflow_id(start.carrier, start.tracking_code),
            task_queue=worker.task_queue,
        )
        await env.sleep(timedelta(seconds=130))  # the first poll, and the second
        view = await handle.query(TrackingPollerWorkflow.status)
        assert (view.status, view.polls, view.interval_seconds) == ("in_transit", 2, 240)
        assert view.next_poll_at is not None and view.last_polled_at is not None
        assert view.next_poll_at - view.last_polled_at == timedelta(seconds=240)
        assert view.tracker_id == "trk_" + "1" * 32 and view.ended is None
        await handle.terminate("test over")


async def test_starting_a_shipments_poller_again_changes_nothing(env: WorkflowEnvironment) -> None:
    fake = FakeEasyPost(["in_transit", "in_transit", "delivered"])
    start = start_for()
    async with new_worker(env.client, fake.activities()) as worker:
        first = await start_tracking_poller(env.client, start, task_queue=worker.task_queue)
        again = await start_tracking_poller(env.client, start, task_queue=worker.task_queue)
        assert again.result_run_id == first.result_run_id  # the running one, kept
        view = await first.result()
        assert view.ended == "the shipment is delivered"
        after = await start_tracking_poller(env.client, start, task_queue=worker.task_queue)
        assert (await after.result()).polls == 3  # the finished one: not started anew
    assert fake.created == 1
    described = await first.describe()
    assert described.typed_search_attributes.get(attrs.ORDER_ID) == start.reference
    assert described.typed_search_attributes.get(attrs.KIND) == "tracking"
