"""The workflow as production workers run it: without Temporal's sandbox.

Every other workflow test runs sandboxed, which is what catches a restricted call; these
check that nothing in the workflow depends on the sandbox being there.
"""

from __future__ import annotations

from temporalio.testing import WorkflowEnvironment
from temporalio.worker import PollerBehaviorSimpleMaximum, UnsandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from activities.dependencies import Dependencies
from domain.timeline import Channel, DeliveryStatus, NotificationState
from starter.client import signal_milestone
from tests.helpers.events import ORDER_PATH, order_event
from tests.helpers.temporal import new_worker, settings_for_tests
from tests.workflows.stand_ins import FakeChannels
from tests.workflows.test_notification_flow import wait_for
from worker import build_worker


async def test_an_order_and_a_fallback_without_the_sandbox(env: WorkflowEnvironment) -> None:
    fake = FakeChannels()
    fake.policy = fake.policy.model_copy(update={"delivery_report_wait_seconds": 20.0})
    fake.reports_in_send = [("delivered", None)] * 3 + [("undelivered", "30003")]
    runner = UnsandboxedWorkflowRunner()
    async with new_worker(env.client, fake.activities(), workflow_runner=runner) as worker:
        for step, milestone in enumerate(ORDER_PATH):
            event = order_event(milestone, "U100", step=step)
            handle = await signal_milestone(env.client, event, task_queue=worker.task_queue)
            await wait_for(handle, lambda h, n=step + 1: len(h.messages) >= n)

        history = await wait_for(handle, lambda h: h.state == NotificationState.FELL_BACK)
        statuses = [(m.milestone.value, m.channel, m.status) for m in history.messages]
        assert statuses == [
            *[(m, Channel.SMS, DeliveryStatus.DELIVERED) for m in ORDER_PATH[:3]],
            ("delivered", Channel.SMS, DeliveryStatus.UNDELIVERED),
            ("delivered", Channel.EMAIL, DeliveryStatus.SENT),
        ]


async def test_the_worker_runs_sandboxed_unless_told_not_to(
    env: WorkflowEnvironment, tmp_path
) -> None:
    for sandboxed, runner in ((True, SandboxedWorkflowRunner), (False, UnsandboxedWorkflowRunner)):
        settings = settings_for_tests(data_dir=tmp_path, workflow_sandbox=sandboxed)
        deps = Dependencies.create(settings)
        try:
            worker = build_worker(env.client, deps, f"tq-runner-{sandboxed}")
            assert isinstance(worker._workflow_worker._workflow_runner, runner)
        finally:
            await deps.close()


async def test_the_worker_keeps_as_many_workflow_task_polls_as_set(
    env: WorkflowEnvironment, tmp_path
) -> None:
    for polls in (10, 4):
        settings = settings_for_tests(data_dir=tmp_path, workflow_task_polls=polls)
        deps = Dependencies.create(settings)
        try:
            worker = build_worker(env.client, deps, f"tq-polls-{polls}")
            assert worker.config()["workflow_task_poller_behavior"] == (
                PollerBehaviorSimpleMaximum(polls)
            )
        finally:
            await deps.close()


async def test_the_worker_caches_as_many_workflows_as_set(
    env: WorkflowEnvironment, tmp_path
) -> None:
    for size in (1000, 50):
        settings = settings_for_tests(data_dir=tmp_path, workflow_cache_size=size)
        deps = Dependencies.create(settings)
        try:
            worker = build_worker(env.client, deps, f"tq-cache-{size}")
            assert worker.config()["max_cached_workflows"] == size
        finally:
            await deps.close()
