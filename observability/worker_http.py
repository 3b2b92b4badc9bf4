"""The worker's small HTTP server: ``/health`` (alive), ``/ready`` (polling, with Temporal
and the store reachable) and ``/metrics`` (Herald's and the SDK's, for Prometheus).

Orchestrators restart a worker whose ``/health`` fails and route nothing to one whose
``/ready`` fails; a worker serves no inbound traffic, so ``/ready`` is for dashboards and
start-up ordering (a deploy waits for it before stopping the old worker).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web

from observability.metrics import exposition
from observability.sdk_metrics import SdkMetrics

Probe = Callable[[], Awaitable[object]]
PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


class WorkerHttp:
    def __init__(self, host: str, port: int, sdk: SdkMetrics | None, probes: dict[str, Probe]):
        self._host, self._port = host, port
        self._sdk = sdk
        self._probes = probes
        self.polling = False  # set once the worker polls its task queue
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/health", self._health)
        app.router.add_get("/ready", self._ready)
        app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, self._port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _health(self, _request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _ready(self, _request: web.Request) -> web.Response:
        checks = {"polling": "ok" if self.polling else "not yet"}
        for name, probe in self._probes.items():
            checks[name] = await _check(probe)
        ok = all(v == "ok" for v in checks.values())
        return web.json_response(
            {"status": "ready" if ok else "not ready", **checks}, status=200 if ok else 503
        )

    async def _metrics(self, _request: web.Request) -> web.Response:
        body = exposition() + (await self._sdk.exposition() if self._sdk else b"")
        return web.Response(body=body, headers={"Content-Type": PROMETHEUS_TEXT})


async def _check(probe: Probe) -> str:
    try:
        await asyncio.wait_for(probe(), timeout=3.0)
    except Exception as exc:
        return f"failing: {type(exc).__name__}"
    return "ok"
