"""Webhook delivery shared by the Vonage and Plivo stand-ins: background tasks, retries on
anything but a 2xx answer (as both providers do), and a record of every attempt (the
record's type serves the Twilio stand-in's status callbacks too)."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
import yarl

CALLBACK_TIMEOUT_SECONDS = 10.0
MAX_ATTEMPTS_KEPT = 20_000  # bounded memory for long benchmark runs


@dataclass(slots=True)
class WebhookAttempt:
    """One webhook a stand-in tried to deliver, as the ``/sandbox`` routes show it."""

    kind: str  # "delivery-receipt", "status", "inbound"; Twilio's: the status it reported
    url: str
    http_status: int | None
    error: str | None
    at: float
    params: dict[str, str] | None = None  # None: not kept (Twilio's callbacks show none)
    # The JSON key ``kind`` is shown under: Twilio's callbacks have always said
    # "message_status" (the tests read that key).
    kind_key: str = "kind"

    def as_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {self.kind_key: self.kind, "url": self.url}
        if self.params is not None:
            shown["params"] = self.params
        return shown | {"http_status": self.http_status, "error": self.error, "at": self.at}


class WebhookSender:
    def __init__(self, retry_delays_seconds: Sequence[float] = (1.0, 5.0, 30.0)) -> None:
        self.retry_delays_seconds = list(retry_delays_seconds)
        self.attempts: deque[WebhookAttempt] = deque(maxlen=MAX_ATTEMPTS_KEPT)
        self._tasks: set[asyncio.Task[None]] = set()
        self._http: aiohttp.ClientSession | None = None

    @property
    def http(self) -> aiohttp.ClientSession:
        if self._http is None:
            timeout = aiohttp.ClientTimeout(total=CALLBACK_TIMEOUT_SECONDS)
            self._http = aiohttp.ClientSession(timeout=timeout)
        return self._http

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)  # strong reference: the loop keeps weak ones only
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def cancel_pending(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def reset(self) -> None:
        await self.cancel_pending()
        self.attempts.clear()

    async def stop(self) -> None:
        await self.cancel_pending()
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def post(
        self,
        kind: str,
        url: str,
        params: Mapping[str, str],
        headers: Mapping[str, str],
        *,
        as_json: bool = False,
    ) -> bool:
        """POST once now; on anything but a 2xx, the retries go on in the background (the
        message's own progress does not wait for them). True when the first was accepted."""
        if await self._attempt(kind, url, params, headers, as_json):
            return True
        self.spawn(self._retry(kind, url, dict(params), dict(headers), as_json))
        return False

    async def _retry(
        self, kind: str, url: str, params: dict[str, str], headers: dict[str, str], as_json: bool
    ) -> None:
        for delay in self.retry_delays_seconds:
            await asyncio.sleep(delay)
            if await self._attempt(kind, url, params, headers, as_json):
                return

    async def _attempt(
        self,
        kind: str,
        url: str,
        params: Mapping[str, str],
        headers: Mapping[str, str],
        as_json: bool,
    ) -> bool:
        status, error = None, None
        body: dict[str, Any] = {"json": dict(params)} if as_json else {"data": dict(params)}
        try:
            async with self.http.post(
                yarl.URL(url, encoded=True), headers=dict(headers), **body
            ) as response:
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = repr(exc)
        self.attempts.append(WebhookAttempt(kind, url, status, error, time.time(), dict(params)))
        return status is not None and 200 <= status < 300
