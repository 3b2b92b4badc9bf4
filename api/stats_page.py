"""``GET /stats``: the KPIs against the user's targets, with plots over time, as a page.

Everything it shows comes from this service: the HTML, its stylesheet (``/stats/assets``)
and the plots (SVG inline), so it works where nothing reaches the internet. The same
filters as ``herald stats``; ``/stats.json`` gives the figures as the CLI's ``--json``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from reporting.figures import compute
from reporting.period import PeriodError
from reporting.plots import plots
from reporting.presentation import FILTERS, format_figure, stats_filter
from reporting.query import StatsFilter, read_messages
from store.repository import Store

HERE = Path(__file__).parent
_templates = Environment(
    loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"])
)


def create_stats_router(store: Store) -> APIRouter:
    router = APIRouter()

    def _filter(request: Request) -> StatsFilter:
        query = request.query_params
        return stats_filter(query.get("period", "7d"), **{k: query.get(k) for k in FILTERS})

    @router.get("/stats.json")
    async def stats_json(request: Request) -> Response:
        try:
            where = _filter(request)
        except PeriodError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        messages = await asyncio.to_thread(read_messages, store.engine, where)
        return JSONResponse(compute(messages).as_json())

    @router.get("/stats", response_class=HTMLResponse)
    async def stats_page(request: Request) -> Response:
        try:
            where = _filter(request)
        except PeriodError as exc:
            return HTMLResponse(f"<p>{exc}</p>", status_code=400)
        messages = await asyncio.to_thread(read_messages, store.engine, where)
        kpis = compute(messages)
        charts = await asyncio.to_thread(plots, messages)
        html = _templates.get_template("stats.html").render(
            kpis=kpis,
            rows=[
                {**r, "shown": format_figure(r["figure"], r["value"])} for r in kpis.with_targets()
            ],
            charts=[Markup(svg) for svg in charts],  # pygal's own SVG, from our figures
            query=dict(request.query_params),
            period=request.query_params.get("period", "7d"),
            filters=FILTERS,
        )
        return HTMLResponse(html)

    @router.get("/stats/assets/stats.css")
    async def stylesheet() -> Response:
        return Response((HERE / "static" / "stats.css").read_text(), media_type="text/css")

    return router
