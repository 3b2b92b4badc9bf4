"""The one list of workflows, and the sandbox they run in; imported by the worker and tests."""

from temporalio.worker import UnsandboxedWorkflowRunner, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from workflows.notification import NotificationWorkflow
from workflows.tracking_poller import TrackingPollerWorkflow

WORKFLOWS = [NotificationWorkflow, TrackingPollerWorkflow]

# phonenumbers loads each region's metadata lazily, on first use, behind a lock: it must be
# the host's module, not a sandboxed re-import. It is deterministic (data files only).
# pydantic, the domain models and the pure rules the workflow shares with the activities
# (policy/, routing/) are shared too, for speed.
WORKFLOW_RUNNER = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules(
        "phonenumbers",
        "pydantic",
        "pydantic_core",
        "babel",
        "jinja2",
        "domain",
        "policy",
        "routing",
    )
)


def workflow_runner(sandboxed: bool) -> WorkflowRunner:
    """The sandbox, or none (``HERALD_WORKFLOW_SANDBOX=false``, for production workers).

    The sandbox re-imports the workflow module for each run and checks every call an
    activation makes; at 20 milestones/s it was a quarter of the worker's CPU. Every
    workflow and replay test runs sandboxed (tests/helpers/temporal.py uses
    WORKFLOW_RUNNER), so a restricted call fails CI before it reaches a worker without it.
    """
    return WORKFLOW_RUNNER if sandboxed else UnsandboxedWorkflowRunner()
