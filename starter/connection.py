"""Connecting to Temporal as every Herald client does: Herald's data converter (pydantic,
then AES-GCM) and the trace context. Light on imports, for the CLI's reading commands."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.runtime import Runtime

from config.settings import Settings, get_settings
from observability.tracing import tracing_interceptors
from privacy.converter import data_converter


async def connect(settings: Settings | None = None, *, runtime: Runtime | None = None) -> Client:
    """A client that carries the trace context (a worker built on it continues traces);
    ``runtime``: the SDK's runtime, when the process serves the SDK's metrics."""
    settings = settings or get_settings()
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings),
        interceptors=tracing_interceptors(),
        runtime=runtime,
    )
