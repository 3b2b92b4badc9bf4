"""One milestone, one trace: the OMS's signal, the workflow, the send activity, its
provider call and the provider's status callback (a child of that call) share a trace id.

The client, an in-process worker and an in-process HTTP service all report to one
in-memory exporter; Temporal and the sandbox (which calls the callback URL the send gave
it) are the end-to-end stack's real processes.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import uvicorn
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from temporalio.client import Client

from activities.dependencies import Dependencies
from api.app import create_app
from config.policy import get_policy_settings
from config.settings import Settings
from devstack.processes import free_port
from devstack.stack import Stack
from domain.milestones import Kind
from observability.tracing import configure_tracing
from starter.client import connect, signal_milestone
from tests.e2e.conftest import E2E_POLICY_ENV
from tests.e2e.test_stack import all_final, history_when, new_phone, new_reference
from tests.helpers.events import order_event
from tests.helpers.temporal import assert_eventually
from worker import build_worker


def in_memory_spans() -> InMemorySpanExporter:
    exporter = InMemorySpanExporter()
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):  # another test of this process set one up
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        configure_tracing("herald-tests", SimpleSpanProcessor(exporter))
    return exporter


@dataclass
class InProcess:
    spans: InMemorySpanExporter
    client: Client
    settings: Settings


@pytest.fixture
async def in_process(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[InProcess]:
    """A worker and an HTTP service in this process, on their own queue and port."""
    for name, value in E2E_POLICY_ENV.items():
        monkeypatch.setenv(name, value)
    get_policy_settings.cache_clear()
    exporter = in_memory_spans()
    settings = stack.settings.model_copy(
        update={"http_port": free_port(), "task_queue": f"traces-{uuid.uuid4()}"}
    )
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=settings.http_port, log_config=None
        )
    )
    serving = asyncio.create_task(server.serve())
    client = await connect(settings)
    deps = Dependencies.create(settings)
    try:

        async def listening() -> None:
            assert server.started

        await assert_eventually(listening, timeout=10)
        async with build_worker(client, deps, settings.task_queue):
            yield InProcess(exporter, client, settings)
    finally:
        await deps.close()
        server.should_exit = True
        await serving
        get_policy_settings.cache_clear()


async def test_a_milestones_trace_joins_signal_send_and_callback(in_process: InProcess) -> None:
    client, settings, spans = in_process.client, in_process.settings, in_process.spans
    reference = new_reference()
    event = order_event("shipped", reference, phone=new_phone())

    await signal_milestone(client, event, task_queue=settings.task_queue)
    await history_when(client, Kind.ORDER, reference, all_final(1))

    def of_this_order() -> list:  # type: ignore[type-arg]
        finished = spans.get_finished_spans()
        signal = [s for s in finished if s.name.startswith("SignalWithStartWorkflow")]
        assert signal, [s.name for s in finished]
        trace_id = signal[-1].context.trace_id
        joined = [s for s in finished if s.context.trace_id == trace_id]
        names = [s.name for s in joined]
        assert "twilio status callback" in names, names
        return joined

    async def joined() -> list:  # type: ignore[type-arg]
        return of_this_order()

    trace_spans = await assert_eventually(joined, timeout=15)
    names = {s.name for s in trace_spans}
    assert "RunWorkflow:HeraldNotification" in names
    assert "RunActivity:decide_and_send_sms" in names
    callbacks = [s for s in trace_spans if s.name == "twilio status callback"]
    assert {s.attributes["herald.status"] for s in callbacks} >= {"delivered"}
    activity = next(s for s in trace_spans if s.name == "RunActivity:decide_and_send_sms")
    call = next(s for s in trace_spans if s.name == "twilio send")
    assert call.parent is not None and call.parent.span_id == activity.context.span_id
    assert all(c.parent is not None and c.parent.span_id == call.context.span_id for c in callbacks)
