"""The whole stack as real processes: Temporal dev server, sandbox, HTTP service, worker."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from temporalio.client import Client

from config.settings import Settings
from devstack.processes import free_port
from devstack.stack import Stack
from privacy.sealed import Sealer
from starter.client import connect
from store.repository import Store
from tests.helpers.temporal import settings_for_tests

# Short enough that the failure paths finish within a test, long enough to be real.
E2E_SETTINGS = {
    "sandbox_callback_delay_seconds": 0.2,
    "send_timeout_seconds": 4.0,
    "sms_retry_initial_seconds": 0.5,
    "delivery_report_timeout_seconds": 6.0,
    "delivery_report_wait_seconds": 2.0,
    "completion_grace_seconds": 2.0,
    "sms_sender_messages_per_second": 50.0,
    # The tracking poller at a test's pace: a second after a change, at most four while
    # quiet (the production defaults are minutes and hours: workflows/tracking_poller.py).
    "tracking_poll_initial_seconds": 1.0,
    "tracking_poll_max_seconds": 4.0,
    # config/intake.toml's demo shop, with a secret the intake test signs with.
    "shopify_webhook_secrets": "herald-demo.myshopify.com:e2e-shopify-secret",
    "easypost_webhook_secrets": "herald-demo:e2e-easypost-secret",  # the demo account
    "aftership_webhook_secrets": "herald-demo:e2e-aftership-secret",
}


# The send policy's clock-dependent rules off (quiet hours, coalescing holds): end-to-end
# runs must not depend on the hour CI happens to run at. The rules have their own tests.
E2E_POLICY_ENV = {
    "HERALD_SENDING_WINDOW": '{"start": "00:00", "end": "23:59:59.999999"}',
    "HERALD_COALESCING__OUT_FOR_DELIVERY__HOLD_SECONDS": "0",
    "HERALD_COALESCING__INSPECTED__HOLD_SECONDS": "0",
}


def language_model_env(settings: Settings) -> dict[str, str]:
    """Exception SMS worded by the sandbox's stand-in model, as with a local model server."""
    return {
        "HERALD_LANGUAGE_MODEL_ENABLED": "true",
        "HERALD_LANGUAGE_MODEL_BASE_URL": f"{settings.sandbox_base_url}/sandbox/llm/v1",
        "HERALD_LANGUAGE_MODEL_NAME": "sandbox-stub",
    }


def e2e_settings(data_dir: Path) -> Settings:
    return settings_for_tests(
        temporal_address=f"127.0.0.1:{free_port()}",
        temporal_ui_port=free_port(),
        data_dir=data_dir,
        http_port=free_port(),
        worker_http_port=free_port(),
        sandbox_port=free_port(),
        sandbox_smtp_port=free_port(),
        # config/intake.toml's herald-demo returns table, in a SQLite file the stack makes.
        returns_database_urls=f"herald-demo=sqlite:///{data_dir / 'demo-returns.sqlite3'}",
        **E2E_SETTINGS,
    )


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir = tmp_path_factory.mktemp("herald-e2e")
    settings = e2e_settings(data_dir)
    env = {**E2E_POLICY_ENV, **language_model_env(settings)}
    running = Stack(settings, log_dir=data_dir / "logs", extra_env=env)
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
async def client(stack: Stack) -> Client:
    return await connect(stack.settings)


@pytest.fixture(scope="session")
def store(stack: Stack) -> Iterator[Store]:
    settings = stack.settings
    connected = Store.connect(settings.effective_database_url, Sealer.from_settings(settings))
    yield connected
    connected.close()


@pytest.fixture
async def sandbox(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.settings.sandbox_base_url, timeout=10) as http:
        yield http
        await http.put("/sandbox/rules", json=[])  # rules never leak into the next test
