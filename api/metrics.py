"""``GET /metrics``: the HTTP service's Prometheus metrics (observability/metrics.py)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from observability.metrics import exposition

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


def create_metrics_router() -> APIRouter:
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(content=exposition(), media_type=PROMETHEUS_TEXT)

    return router
