from collections.abc import AsyncIterator

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.helpers.temporal import start_time_skipping


@pytest.fixture
async def env() -> AsyncIterator[WorkflowEnvironment]:
    environment = await start_time_skipping()
    async with environment:
        yield environment
