"""Herald's worker: runs the notification workflows and their activities.

Usage: python worker.py  (settings from HERALD_* environment variables)
"""

from __future__ import annotations

import asyncio
import compileall
import gc
import logging
import signal
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import uvloop
from temporalio.client import Client
from temporalio.worker import PollerBehaviorSimpleMaximum, Worker

from activities.dependencies import Dependencies
from activities.registry import build_activities
from config import validation
from config.settings import Settings, get_settings
from observability.logs import configure_logging
from observability.sdk_metrics import SdkMetrics
from observability.tracing import configure_tracing
from observability.worker_http import WorkerHttp
from starter.connection import connect_when_reachable
from store.schema import prepare_schema
from workflows.registry import WORKFLOWS, workflow_runner


def compile_workflow_modules() -> None:
    """Write the bytecode of the modules the workflow sandbox imports.

    The sandbox imports the workflow's module afresh for every workflow run; without a
    ``.pyc`` (PYTHONDONTWRITEBYTECODE is set in our image and dev shells) each of those
    imports compiles the source again, which cost the worker about a tenth of its CPU under
    load. The image compiles them at build time; a read-only tree just keeps that cost.
    """
    workflows_dir = Path(__file__).with_name("workflows")
    if not compileall.compile_dir(workflows_dir, quiet=2):
        logging.warning(
            "could not write bytecode for %s: each workflow run compiles it", workflows_dir
        )


STORE_THREADS = 32


def freeze_startup_objects() -> None:
    """Hide what start-up built (modules, schemas, compiled statements: about 160,000
    objects, all as long-lived as the process) from the garbage collector. Its full
    collections, which stop the event loop and every workflow task, then walk only what
    the worker made since: 12-45 ms in the benchmark instead of 130-200 ms."""
    gc.collect()
    gc.freeze()


def build_worker(client: Client, deps: Dependencies, task_queue: str) -> Worker:
    return Worker(
        client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        workflow_runner=workflow_runner(deps.settings.workflow_sandbox),
        # Every activity is async; they reach the synchronous store through the event
        # loop's default executor (STORE_THREADS, set in run_worker), so the worker needs no
        # executor of its own for activities.
        activities=build_activities(deps),
        max_concurrent_activities=200,
        max_cached_workflows=deps.settings.workflow_cache_size,
        workflow_task_poller_behavior=PollerBehaviorSimpleMaximum(
            deps.settings.workflow_task_polls
        ),
    )


async def run_worker(settings: Settings) -> None:
    validation.check(settings)  # what the provider would refuse on every send: refuse now
    compile_workflow_modules()
    sdk_metrics = SdkMetrics()
    client = await connect_when_reachable(settings, runtime=sdk_metrics.runtime)
    deps = Dependencies.create(settings)
    prepare_schema(
        settings.effective_database_url, deps.store.engine, migrate=settings.migrate_on_start
    )
    http = WorkerHttp(
        settings.worker_http_host,
        settings.worker_http_port,
        sdk_metrics,
        {
            "temporal": client.service_client.check_health,
            "database": lambda: asyncio.to_thread(deps.store.ping),
        },
    )
    await http.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Activities reach the (synchronous) store through asyncio.to_thread: the default pool
    # has min(32, cores + 4) threads, 6 here, and sends queued behind each other's writes.
    loop.set_default_executor(ThreadPoolExecutor(max_workers=STORE_THREADS))
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with build_worker(client, deps, settings.task_queue):
            freeze_startup_objects()
            http.polling = True
            logging.info(
                "worker polling task queue %r on %s", settings.task_queue, settings.temporal_address
            )
            await stop.wait()
            http.polling = False
    finally:
        await http.stop()
        await deps.close()


if __name__ == "__main__":
    configure_logging("worker")
    configure_tracing("herald-worker")
    # uvloop: a cheaper event loop for the SDK's and the activities' many small wake-ups
    # (each activity's store call hops to a thread and back).
    uvloop.run(run_worker(get_settings()))
