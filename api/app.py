"""The FastAPI application: ``uvicorn api.app:app`` (or ``python -m api``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from sqlalchemy import text

from api.codec import create_codec_router
from api.email_opens import create_open_router
from api.inbound import create_inbound_router
from api.metrics import create_metrics_router
from api.preferences import create_preferences_router
from api.stats_page import create_stats_router
from api.status_callbacks import create_status_router
from config.settings import Settings, get_settings
from privacy.converter import codec_for
from starter.client import connect
from store.repository import Store


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store.connect(settings.effective_database_url)
        client = await connect(settings)
        app.include_router(create_status_router(settings, store, client))
        app.include_router(create_preferences_router(store))
        app.include_router(create_inbound_router(settings, store, client))
        app.include_router(create_open_router(settings, store))
        app.include_router(create_stats_router(store))
        app.state.store, app.state.client = store, client
        yield
        store.close()

    app = FastAPI(title="Herald", lifespan=lifespan)
    app.include_router(create_codec_router(codec_for(settings)))
    app.include_router(create_metrics_router())
    FastAPIInstrumentor.instrument_app(app, excluded_urls="health,metrics")
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
        return JSONResponse({"status": "ok" if ok else "degraded", **checks}, 200 if ok else 503)

    return app


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
