"""Connecting to Temporal as every Herald client does: Herald's data converter (pydantic,
then AES-GCM) and the trace context. Light on imports, for the CLI's reading commands."""

from __future__ import annotations

import asyncio
import logging

from temporalio.client import Client
from temporalio.runtime import Runtime

from config.settings import Settings, get_settings
from observability.tracing import tracing_interceptors
from privacy.converter import data_converter

log = logging.getLogger(__name__)


async def connect(
    settings: Settings | None = None, *, runtime: Runtime | None = None, lazy: bool = False
) -> Client:
    """A client that carries the trace context (a worker built on it continues traces);
    ``runtime``: the SDK's runtime, when the process serves the SDK's metrics. ``lazy``:
    connect at the first call, and again at each call until one connects (the SDK's own
    behaviour), so a process that only calls Temporal now and then starts without it."""
    settings = settings or get_settings()
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings),
        interceptors=tracing_interceptors(),
        runtime=runtime,
        lazy=lazy,
    )


async def connect_when_reachable(
    settings: Settings, *, runtime: Runtime | None = None, max_wait_seconds: float = 30.0
) -> Client:
    """``connect``, tried again with a growing pause (at most ``max_wait_seconds``) until
    the server answers: a worker started while Temporal restarts waits for it instead of
    exiting (the SDK refuses a lazy client to a worker)."""
    pause = 1.0
    while True:
        try:
            return await connect(settings, runtime=runtime)
        except RuntimeError as error:  # the SDK's "Failed client connect"
            log.warning(
                "Temporal at %s not reachable (%s); trying again in %.0f s",
                settings.temporal_address,
                error,
                pause,
            )
            await asyncio.sleep(pause)
            pause = min(pause * 2, max_wait_seconds)
