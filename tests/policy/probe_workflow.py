"""A minimal workflow that runs the policy inside Temporal's sandbox, as the real one will.

It decides, waits on a durable timer for a HOLD, and decides again: proof that the
policy needs no I/O, no clock but ``workflow.now()``, and replays deterministically.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

    from policy.decision import PolicyAction, PolicyDecision
    from policy.evaluate import PolicyRequest, evaluate
    from policy.rules import PolicyRules


class PolicyProbe(BaseModel):
    request: PolicyRequest
    rules: PolicyRules


class ProbeResult(BaseModel):
    decisions: list[PolicyDecision]


@workflow.defn(name="PolicyProbe")
class PolicyProbeWorkflow:
    @workflow.run
    async def run(self, probe: PolicyProbe) -> ProbeResult:
        decisions = [evaluate(probe.request, workflow.now(), probe.rules)]
        while decisions[-1].action is PolicyAction.HOLD and len(decisions) < 5:
            until = decisions[-1].hold_until
            assert until is not None
            await workflow.sleep(until - workflow.now(), summary=decisions[-1].reason[:100])
            decisions.append(evaluate(probe.request, workflow.now(), probe.rules))
        return ProbeResult(decisions=decisions)
