"""Activities against the real sandbox (Twilio API, SMTP sink, push sink) and a real store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from activities.dependencies import Dependencies
from store.migrate import upgrade
from tests.helpers.temporal import settings_for_tests

# The sandbox fixtures, shared with the sandbox tests.
from tests.sandbox.conftest import RunningSandbox, running_sandbox, sandbox  # noqa: F401


@pytest.fixture
async def deps(sandbox: RunningSandbox, tmp_path: Path) -> AsyncIterator[Dependencies]:  # noqa: F811
    box = sandbox.settings
    settings = settings_for_tests(
        data_dir=tmp_path,
        sandbox_port=box.sandbox_port,
        sandbox_smtp_port=box.sandbox_smtp_port,
        public_base_url="http://127.0.0.1:9",  # callbacks go nowhere: not under test here
        sms_sender_messages_per_second=1000.0,  # the sender's limit has tests of its own
    )
    upgrade(settings.effective_database_url)
    dependencies = Dependencies.create(settings)
    try:
        yield dependencies
    finally:
        await dependencies.close()
