"""The bare baseline Herald is judged against: one workflow per order, one HTTP call per signal.

Nothing else: no store, no rendering, no throttle, no delivery tracking. It runs on the same
Temporal server, through the same sandbox endpoint and with the same data converter as
Herald, in its own worker process, so the ratio between the two is Herald's own overhead.

Run its worker with ``python -m bench.baseline_worker`` (settings from HERALD_* variables).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.common import RetryPolicy
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import PollerBehaviorSimpleMaximum, UnsandboxedWorkflowRunner, Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

with workflow.unsafe.imports_passed_through():
    import httpx
    from pydantic import BaseModel

    from config.settings import Settings

TASK_QUEUE = "bench-baseline"
WORKFLOW_NAME = "BenchBaseline"
SEND_TIMEOUT = timedelta(seconds=30)
HTTP_TIMEOUT_SECONDS = 15.0


class BaselineMessage(BaseModel):
    to: str
    body: str


class BaselineSent(BaseModel):
    sid: str


@workflow.defn(name=WORKFLOW_NAME)
class BaselineWorkflow:
    """Sends each signalled message with one activity; ends after ``expected`` of them."""

    def __init__(self) -> None:
        self._pending: list[BaselineMessage] = []

    @workflow.run
    async def run(self, expected: int) -> int:
        for _ in range(expected):
            await workflow.wait_condition(lambda: bool(self._pending))
            await workflow.execute_activity(
                "baseline_send",
                self._pending.pop(0),
                result_type=BaselineSent,
                start_to_close_timeout=SEND_TIMEOUT,
                retry_policy=RetryPolicy(maximum_attempts=3),
            )
        return expected

    @workflow.signal(name="milestone")
    def milestone(self, message: BaselineMessage) -> None:
        self._pending.append(message)


class BaselineActivities:
    """One POST to the sandbox's Twilio create endpoint, the same call Herald's SMS makes."""

    def __init__(self, settings: Settings, http: httpx.AsyncClient) -> None:
        self._http = http
        self._url = (
            f"{settings.sandbox_base_url}/2010-04-01/Accounts/"
            f"{settings.effective_twilio_account_sid}/Messages.json"
        )
        self._auth = (settings.effective_twilio_account_sid, settings.effective_twilio_auth_token)
        self._sender = settings.sms_sender

    @activity.defn(name="baseline_send")
    async def send(self, message: BaselineMessage) -> BaselineSent:
        response = await self._http.post(
            self._url,
            data={"To": message.to, "From": self._sender, "Body": message.body},
            auth=self._auth,
        )
        response.raise_for_status()
        return BaselineSent(sid=response.json()["sid"])


def activities(settings: Settings, http: httpx.AsyncClient) -> list[Callable[..., Any]]:
    return [BaselineActivities(settings, http).send]


async def connect(settings: Settings) -> Client:
    """Pydantic models as JSON: Herald's converter without its payload encryption."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=pydantic_data_converter,
    )


async def run_worker(settings: Settings) -> None:
    client = await connect(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as http:
        # Temporal's defaults but for Herald's activity limit, Herald's workflow-task polls
        # and Herald's choice of sandbox: the baseline is the floor of the same setup. Not
        # workflows.registry's runner: importing it here would re-import Herald's workflow
        # inside the baseline's sandbox for every run.
        sandboxed = settings.workflow_sandbox
        worker = Worker(
            client,
            task_queue=TASK_QUEUE,
            workflows=[BaselineWorkflow],
            workflow_runner=SandboxedWorkflowRunner() if sandboxed else UnsandboxedWorkflowRunner(),
            activities=activities(settings, http),
            max_concurrent_activities=200,
            workflow_task_poller_behavior=PollerBehaviorSimpleMaximum(settings.workflow_task_polls),
        )
        async with worker:
            logging.info("baseline worker polling %r on %s", TASK_QUEUE, settings.temporal_address)
            await stop.wait()
