"""Start a shipment's tracking poller (workflows/tracking_poller.py), once per shipment."""

from __future__ import annotations

from temporalio.client import Client, WorkflowHandle
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError

from config.settings import Settings
from workflows import search_attributes as attrs
from workflows.tracking_poll_state import (
    TrackingPollPolicy,
    TrackingPollStart,
    TrackingPollView,
    tracking_workflow_id,
)
from workflows.tracking_poller import TrackingPollerWorkflow

KIND = "tracking"  # HeraldKind of a poller: support finds an order's poller beside it


def tracking_policy(settings: Settings) -> TrackingPollPolicy:
    return TrackingPollPolicy(
        initial_seconds=settings.tracking_poll_initial_seconds,
        moving_max_seconds=settings.tracking_poll_moving_max_seconds,
        stale_after_seconds=settings.tracking_poll_stale_after_seconds,
        max_seconds=settings.tracking_poll_max_seconds,
        due_max_seconds=settings.tracking_poll_due_max_seconds,
        max_age_seconds=settings.tracking_poll_max_age_seconds,
        history_event_limit=settings.history_event_limit,
    )


async def start_tracking_poller(
    client: Client, start: TrackingPollStart, *, task_queue: str
) -> WorkflowHandle[TrackingPollerWorkflow, TrackingPollView]:
    """The shipment's poller, started if none runs. Safe to repeat: a poller running for
    the code and carrier is left as it is (USE_EXISTING), and one that ended well (the
    shipment delivered, EasyPost refusing the code) is not started again: its handle is
    returned. Only a run that failed or was terminated may be started anew."""
    workflow_id = tracking_workflow_id(start.carrier, start.tracking_code)
    try:
        return await _start(client, start, workflow_id, task_queue)
    except WorkflowAlreadyStartedError:
        return client.get_workflow_handle_for(TrackingPollerWorkflow.run, workflow_id)


async def _start(
    client: Client, start: TrackingPollStart, workflow_id: str, task_queue: str
) -> WorkflowHandle[TrackingPollerWorkflow, TrackingPollView]:
    return await client.start_workflow(
        TrackingPollerWorkflow.run,
        start,
        id=workflow_id,
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        search_attributes=TypedSearchAttributes(
            [
                SearchAttributePair(attrs.ORDER_ID, start.reference),
                SearchAttributePair(attrs.KIND, KIND),
            ]
        ),
        static_summary=(
            f"tracking {start.carrier} {start.tracking_code} for order {start.reference}"
        ),
    )
