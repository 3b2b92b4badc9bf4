"""The workflow's tunables, from Herald's settings, once per run.

A workflow may not read the environment, so the tunables come in its start input (the
starter reads the same HERALD_* settings as the worker: no event, no activity) or, when a
starter sends none and on every run after a continue-as-new, from this local activity,
whose result history records so replays see the same one.
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from temporalio import activity

from config.policy import get_policy_settings
from config.settings import Settings
from policy.rules import PolicyRules


class WorkflowPolicy(BaseModel):
    sms_max_attempts: int = 3
    sms_retry_initial_seconds: float = 2.0
    sms_retry_max_seconds: float = 60.0
    send_timeout_seconds: float = 30.0
    delivery_report_timeout_seconds: float = 600.0
    delivery_report_wait_seconds: float = 0.0  # in the send activity; 0 in older histories
    completion_grace_seconds: float = 7 * 24 * 3600.0
    history_event_limit: int = 2000
    rules: PolicyRules = Field(default_factory=PolicyRules)  # the send policy's rules


class LoadPolicyInput(BaseModel):
    workflow_id: str


class PolicyActivities:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @activity.defn(name="load_policy")
    async def load_policy(self, request: LoadPolicyInput) -> WorkflowPolicy:
        # Idempotent: reads settings, writes nothing.
        return workflow_policy(self._settings)


def workflow_policy(settings: Settings) -> WorkflowPolicy:
    """The workflow's tunables from ``settings``: for a start input, or the local activity."""
    s = settings
    return WorkflowPolicy(
        sms_max_attempts=s.sms_max_attempts,
        sms_retry_initial_seconds=s.sms_retry_initial_seconds,
        sms_retry_max_seconds=s.sms_retry_max_seconds,
        send_timeout_seconds=s.send_timeout_seconds,
        delivery_report_timeout_seconds=s.delivery_report_timeout_seconds,
        delivery_report_wait_seconds=min(
            s.delivery_report_wait_seconds, s.delivery_report_timeout_seconds
        ),
        completion_grace_seconds=s.completion_grace_seconds,
        history_event_limit=s.history_event_limit,
        rules=get_policy_settings().rules(),
    )
