"""Record the tracking poller's histories for its replay test:
``python -m tests.workflows.record_tracking_histories TAG``.

As record_histories.py does for the notification workflow (workflows/README.md): run it
when a release ships, never overwrite a file; each scenario drives one path of the poller
and every run of a continued one is saved (``<scenario>.<tag>[.run<n>].json`` in
``histories/tracking/``, replayed under ``tracking:REPLAY:<SCENARIO>``).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from tests.helpers.temporal import new_worker, start_time_skipping
from tests.workflows.record_histories import every_run
from tests.workflows.test_tracking_poller import FakeEasyPost
from workflows.tracking_poll_state import (
    TrackingPollPolicy,
    TrackingPollStart,
    tracking_workflow_id,
)
from workflows.tracking_poller import TrackingPollerWorkflow

HISTORIES = Path(__file__).with_name("histories") / "tracking"
POLICY = TrackingPollPolicy(initial_seconds=120, max_seconds=900, max_age_seconds=86400)
Scenario = tuple[Callable[[], FakeEasyPost], TrackingPollPolicy]


def recorded_id(scenario: str) -> str:
    return tracking_workflow_id("REPLAY", scenario)


SCENARIOS: dict[str, Scenario] = {
    # moving, quiet (the interval doubling to its cap), moving again, delivered
    "delivered": (
        lambda: FakeEasyPost(["in_transit"] * 5 + ["out_for_delivery", "delivered"]),
        POLICY,
    ),
    # a poll's first attempt meets EasyPost away: the retry answers
    "retried": (lambda: FakeEasyPost(["in_transit", "delivered"], fail_poll_at=1), POLICY),
    # EasyPost refuses the tracking code: the end, with its reason
    "refused": (lambda: FakeEasyPost(["in_transit"], refuse_create=True), POLICY),
    # EasyPost refuses the tracker later on
    "lost": (lambda: FakeEasyPost(["in_transit"], refuse_poll_at=2), POLICY),
    # never final: the max age ends it
    "aged": (
        lambda: FakeEasyPost(["pre_transit"]),
        POLICY.model_copy(update={"max_age_seconds": 2000}),
    ),
    # past the history limit: continued as new, twice
    "continued": (
        lambda: FakeEasyPost(["in_transit"] * 12 + ["delivered"]),
        POLICY.model_copy(
            update={"max_seconds": 60, "initial_seconds": 60, "history_event_limit": 50}
        ),
    ),
}


async def run_scenario(env: WorkflowEnvironment, name: str) -> WorkflowHandle:
    make_fake, policy = SCENARIOS[name]
    fake = make_fake()
    start = TrackingPollStart(
        carrier="REPLAY", tracking_code=name, reference=f"replay-{name}", policy=policy
    )
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await env.client.start_workflow(
            TrackingPollerWorkflow.run, start, id=recorded_id(name), task_queue=worker.task_queue
        )
        await handle.result()
    return handle


async def record(tag: str, only: set[str] | None = None) -> None:
    HISTORIES.mkdir(parents=True, exist_ok=True)
    for name in SCENARIOS:
        if (only and name not in only) or list(HISTORIES.glob(f"{name}.{tag}*.json")):
            continue
        env = await start_time_skipping()
        async with env:
            runs = await every_run(await run_scenario(env, name))
        for number, history in enumerate(runs, 1):
            suffix = "" if number == len(runs) else f".run{number}"
            path = HISTORIES / f"{name}.{tag}{suffix}.json"
            path.write_text(history.to_json())
            print(f"recorded {path.name}", flush=True)


if __name__ == "__main__":
    asyncio.run(record(sys.argv[1] if len(sys.argv) > 1 else "1.0", set(sys.argv[2:]) or None))
