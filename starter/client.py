"""The OMS's client: connect to Temporal and signal-with-start one workflow per order."""

from __future__ import annotations

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy

from activities.policy import WorkflowPolicy
from config.settings import Settings, get_settings
from domain.events import MilestoneEvent
from domain.milestones import Kind, workflow_id_for
from domain.timeline import MessagingHistory
from privacy.converter import data_converter
from workflows.notification import NotificationWorkflow
from workflows.state import NotificationStart


async def connect(settings: Settings | None = None) -> Client:
    settings = settings or get_settings()
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings),
    )


async def signal_milestone(
    client: Client,
    event: MilestoneEvent,
    *,
    task_queue: str | None = None,
    policy: WorkflowPolicy | None = None,
) -> WorkflowHandle[NotificationWorkflow, MessagingHistory]:
    """Deliver one milestone, starting the order's workflow if it is not running.

    ``policy``: the workflow's tunables for a new order, usually
    ``workflow_policy(get_settings())``; they spare its run the local activity that would
    load the worker's (None). Safe to repeat: the workflow ignores an event id it has seen.
    """
    return await client.start_workflow(
        NotificationWorkflow.run,
        NotificationStart(kind=event.kind, reference=event.reference, policy=policy),
        id=event.workflow_id,
        task_queue=task_queue or get_settings().task_queue,
        start_signal="milestone",
        start_signal_args=[event],
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        static_summary=f"{event.kind.value} {event.reference}",
    )


async def messaging_history(client: Client, kind: Kind, reference: str) -> MessagingHistory:
    handle = client.get_workflow_handle(workflow_id_for(kind, reference))
    return await handle.query(NotificationWorkflow.history)
