"""The policy inside a sandboxed workflow on the time-skipping server: hold, timer, send."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from domain.timeline import Channel
from policy.decision import PolicyAction, PolicyRule
from policy.duplicates import notified_milestone
from policy.evaluate import PolicyRequest
from policy.rules import PolicyRules
from tests.helpers.events import order_event
from tests.helpers.temporal import start_time_skipping
from tests.policy.probe_workflow import PolicyProbe, PolicyProbeWorkflow, ProbeResult
from workflows.registry import WORKFLOW_RUNNER

# As the notification workflow's runner should: the policy shared with the host, not re-imported.
POLICY_RUNNER = SandboxedWorkflowRunner(
    restrictions=WORKFLOW_RUNNER.restrictions.with_passthrough_modules("policy")
)


@pytest.fixture
async def env() -> AsyncIterator[WorkflowEnvironment]:
    environment = await start_time_skipping()
    async with environment:
        yield environment


def a_zone_where_it_is_late_evening(now: datetime) -> str:
    """A fixed-offset zone where ``now`` is between 22:00 and 23:00 (one always exists)."""
    for hours in range(-12, 15):
        name = f"Etc/GMT{-hours:+d}" if hours else "Etc/GMT"  # Etc/GMT-2 is UTC+2
        if now.astimezone(ZoneInfo(name)).hour == 22:
            return name
    raise AssertionError("no zone at 22:00")


async def run_probe(env: WorkflowEnvironment, request: PolicyRequest) -> ProbeResult:
    task_queue = f"tq-{uuid.uuid4()}"
    async with Worker(
        env.client,
        task_queue=task_queue,
        workflows=[PolicyProbeWorkflow],
        workflow_runner=POLICY_RUNNER,
    ):
        return await env.client.execute_workflow(
            PolicyProbeWorkflow.run,
            PolicyProbe(request=request, rules=PolicyRules()),
            id=f"policy-probe-{uuid.uuid4()}",
            task_queue=task_queue,
            result_type=ProbeResult,
        )


async def test_a_night_message_waits_on_a_durable_timer_then_goes(
    env: WorkflowEnvironment,
) -> None:
    now = await env.get_current_time()
    zone = a_zone_where_it_is_late_evening(now)
    request = PolicyRequest(
        candidate=notified_milestone(order_event("shipped", "P1")),
        received_at=now,
        phone="+12125550100",
        has_email=True,
        profile_time_zone=zone,
    )

    result = await run_probe(env, request)

    held, sent = result.decisions
    assert (held.action, held.rule) == (PolicyAction.HOLD, PolicyRule.QUIET_HOURS)
    assert held.hold_until is not None
    opens = held.hold_until.astimezone(ZoneInfo(zone))
    assert (opens.hour, opens.minute) == (8, 0)
    assert timedelta(hours=9) <= held.hold_until - now <= timedelta(hours=10)
    assert (sent.action, sent.channels) == (PolicyAction.SEND, (Channel.SMS,))
    assert await env.get_current_time() >= held.hold_until.astimezone(UTC)


async def test_coalescing_holds_then_sends_on_the_time_skipping_server(
    env: WorkflowEnvironment,
) -> None:
    now = await env.get_current_time()
    request = PolicyRequest(
        candidate=notified_milestone(order_event("out_for_delivery", "P2")),
        received_at=now,
        has_email=True,  # e-mail only: no quiet hours to interfere
    )

    result = await run_probe(env, request)

    assert [d.rule for d in result.decisions] == [PolicyRule.COALESCING, PolicyRule.NONE]
    assert result.decisions[0].hold_until == now + timedelta(minutes=10)
