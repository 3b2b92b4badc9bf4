"""The FastAPI application: ``uvicorn api.app:app`` (or ``python -m api``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from sqlalchemy import text
from temporalio.client import Client

from api.auth import log_access_mode
from api.codec import create_codec_router
from api.email_opens import create_open_router
from api.errors import install_error_handlers
from api.inbound import create_inbound_router
from api.intake import create_intake_router
from api.metrics import create_metrics_router
from api.openapi_docs import create_docs_router, describe
from api.preferences import create_preferences_router
from api.provider_reports import create_provider_reports_router
from api.stats_page import create_stats_router
from api.status_callbacks import create_status_router
from config import validation
from config.settings import Settings, get_settings
from intake.health_monitor import IntakeHealthMonitor
from observability.sdk_metrics import logging_runtime
from privacy.converter import codec_for
from privacy.sealed import Sealer
from providers.sms_providers import build_sms_providers
from starter.client import connect
from store.repository import Store
from store.schema import prepare_schema


def create_app(settings: Settings | None = None, *, client: Client | None = None) -> FastAPI:
    """The HTTP service. ``client``: a Temporal client to use instead of connecting (tests).

    Refuses settings that cannot work (config/validation.py) before anything listens.
    """
    settings = settings or get_settings()
    validation.check(settings)

    # connects on first use; the intake's columns sealed under this process's keys
    store = Store.connect(settings.effective_database_url, Sealer.from_settings(settings))
    temporal = LateClient(client)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log_access_mode(settings)
        await asyncio.to_thread(
            prepare_schema,
            settings.effective_database_url,
            store.engine,
            migrate=settings.migrate_on_start,
        )
        if not temporal.connected:
            # Lazy: the service starts, and the intake acknowledges into its inbox, while
            # Temporal is away; each call connects until one does.
            temporal.connect_to(await connect(settings, lazy=True, runtime=logging_runtime()))
        yield
        store.close()

    # The description and docs pages sit behind the same credential as the data routes.
    app = FastAPI(
        title="Herald", lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None
    )
    app.openapi = lambda: describe(app)  # type: ignore[method-assign]
    app.state.store, app.state.client = store, temporal
    install_error_handlers(app)
    late = cast(Client, temporal)  # routes reach the client only when a request comes
    app.include_router(create_status_router(settings, store, late))
    # Vonage's and Plivo's reports; the adapters here only check signatures and read.
    providers = build_sms_providers(settings, only=("vonage", "plivo"))
    app.include_router(create_provider_reports_router(settings, store, late, providers))
    app.include_router(create_preferences_router(store, settings))
    app.include_router(create_inbound_router(settings, store, late, providers=providers))
    intake_health = IntakeHealthMonitor(store)  # refreshed by the intake's lifespan
    app.include_router(create_intake_router(settings, store, late, intake_health))
    app.include_router(create_codec_router(codec_for(settings), settings))
    app.include_router(create_docs_router(app, settings))
    # Observability (issue 14): the open pixel and /metrics are public (no customer data);
    # /stats shows aggregates only.
    app.include_router(create_open_router(settings, store))
    app.include_router(create_stats_router(store))
    app.include_router(create_metrics_router())
    # Twilio's status callback makes its own server span, joined to the milestone's trace
    # by the traceparent in its URL: a second, generic one would start an orphan trace per
    # callback (three per SMS) and cost the busiest route CPU for nothing.
    FastAPIInstrumentor.instrument_app(app, excluded_urls="health,metrics,twilio/status")
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.effective_web_ui_origins,
        allow_methods=["POST"],
        allow_headers=["content-type", "x-namespace", "authorization"],
        allow_credentials=True,
    )

    @app.get("/health")
    async def health() -> JSONResponse:
        checks = {
            "database": await _check(lambda: _ping_database(app.state.store)),
            "temporal": await _check(lambda: app.state.client.service_client.check_health()),
        }
        ok = all(v == "ok" for v in checks.values())
        # The sources' health is shown, never a 503: it is the same for every replica, so
        # a silent Shopify store would take them all out of the load balancer at once.
        body = {"status": "ok" if ok else "degraded", **checks, "intake": intake_health.summary()}
        return JSONResponse(body, 200 if ok else 503)

    return app


class LateClient:
    """The Temporal client, connected in the app's lifespan, for routes built before it.

    The routes exist from the start, so the API description always names them all."""

    def __init__(self, client: Client | None) -> None:
        self._client = client

    @property
    def connected(self) -> bool:
        return self._client is not None

    def connect_to(self, client: Client) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        if self._client is None:
            raise RuntimeError("the Temporal client is not connected yet")
        return getattr(self._client, name)


async def _check(probe) -> str:  # type: ignore[no-untyped-def]
    try:
        result = probe()
        if asyncio.iscoroutine(result):
            await result
        return "ok"
    except Exception as exc:
        return f"failing: {type(exc).__name__}"


async def _ping_database(store: Store) -> None:
    def ping() -> None:
        with store.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    await asyncio.to_thread(ping)


app = create_app()
