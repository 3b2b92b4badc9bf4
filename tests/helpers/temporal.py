"""Temporal test environments and small helpers that keep each test short."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.runtime import Runtime
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from config.settings import Settings
from privacy.converter import data_converter
from workflows import search_attributes
from workflows.registry import WORKFLOW_RUNNER, WORKFLOWS

BIN = Path(sys.executable).parent
# A fixed key for tests: histories recorded by tests stay readable by tests.
TEST_PAYLOAD_KEYS = "test:" + "dGVzdC1rZXktZm9yLWhlcmFsZC10ZXN0cy0zMmJ5dGU="


def settings_for_tests(**overrides: Any) -> Settings:
    return Settings(_env_file=None, payload_keys=TEST_PAYLOAD_KEYS, **overrides)  # type: ignore[call-arg]


T = TypeVar("T")


async def start_time_skipping(runtime: Runtime | None = None) -> WorkflowEnvironment:
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=data_converter(settings_for_tests()),
        test_server_existing_path=str(BIN / "temporal-test-server"),
        runtime=runtime,
    )
    await register_search_attributes(env.client)
    return env


async def register_search_attributes(client: Client) -> None:
    keyword = IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
    await client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=client.namespace,
            search_attributes={key.name: keyword for key in search_attributes.ALL},
        )
    )


def new_worker(client: Client, activities: Sequence[Callable[..., Any]], **kwargs: Any) -> Worker:
    """A worker on its own task queue, so tests never steal each other's tasks."""
    return Worker(
        client,
        task_queue=kwargs.pop("task_queue", f"tq-{uuid.uuid4()}"),
        workflows=WORKFLOWS,
        workflow_runner=kwargs.pop("workflow_runner", WORKFLOW_RUNNER),
        activities=list(activities),
        **kwargs,
    )


async def assert_eventually(
    check: Callable[[], Awaitable[T]], *, timeout: float = 15.0, interval: float = 0.1
) -> T:
    """Retry ``check`` until it stops raising AssertionError; return its value."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            return await check()
        except AssertionError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(interval)
