"""The one list of workflows, and the sandbox they run in; imported by the worker and tests."""

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from workflows.notification import NotificationWorkflow

WORKFLOWS = [NotificationWorkflow]

# phonenumbers loads each region's metadata lazily, on first use, behind a lock: it must be
# the host's module, not a sandboxed re-import. It is deterministic (data files only).
# pydantic and the domain models are shared too, for speed.
WORKFLOW_RUNNER = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules(
        "phonenumbers", "pydantic", "pydantic_core", "babel", "jinja2", "domain", "policy"
    )
)
