"""A minimal HTTP push provider: accepts pushes, deduplicates by idempotency key, records them.

Rules from a ``RuleBook`` match on the device token, so a test can make one token
"unregistered" (410) or make the provider flaky (5xx) exactly as it does for phone numbers.
"""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from sandbox.rules import RuleBook, create_rules_router


class PushRequest(BaseModel):
    token: str = Field(min_length=1)
    title: str = ""
    body: str = ""
    data: dict[str, Any] = Field(default_factory=dict)
    idempotency_key: str | None = None


@dataclass(slots=True)
class ReceivedPush:
    id: str
    token: str
    title: str
    body: str
    idempotency_key: str | None
    received_at: float
    data: dict[str, Any] = field(default_factory=dict)


class PushSink:
    def __init__(
        self, rules: RuleBook, *, required_key: str | None = None, max_pushes: int = 100_000
    ) -> None:
        self.rules = rules
        self.required_key = required_key or None
        self.max_pushes = max_pushes
        self.pushes: OrderedDict[str, ReceivedPush] = OrderedDict()
        self._ids_by_key: OrderedDict[str, str] = OrderedDict()

    def reset(self) -> None:
        self.pushes.clear()
        self._ids_by_key.clear()

    def _authorized(self, header: str) -> bool:
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            return False
        if self.required_key is None:
            return True
        return secrets.compare_digest(key.strip().encode(), self.required_key.encode())

    def _duplicate(self, key: str | None) -> JSONResponse | None:
        if key is not None and (first_id := self._ids_by_key.get(key)) is not None:
            return JSONResponse({"id": first_id, "duplicate": True})
        return None

    async def send(self, request: Request) -> JSONResponse:
        if not self._authorized(request.headers.get("authorization", "")):
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        try:
            push = PushRequest.model_validate_json(await request.body())
        except ValidationError as exc:
            return JSONResponse(
                {"error": "invalid_request", "detail": exc.errors(include_url=False)},
                status_code=400,
            )
        if (duplicate := self._duplicate(push.idempotency_key)) is not None:
            return duplicate

        rule, api_error = self.rules.api_error_for_call(push.token)
        if rule is not None and rule.latency_ms:
            await asyncio.sleep(rule.latency_ms / 1000)
            # A retry with the same key may have landed while this request waited.
            if (duplicate := self._duplicate(push.idempotency_key)) is not None:
                return duplicate
        if api_error is not None:
            if api_error.status == 410:
                return JSONResponse({"error": "unregistered"}, status_code=410)
            content = {"error": api_error.message, "code": api_error.code}
            return JSONResponse(content, status_code=api_error.status)

        received = ReceivedPush(
            id=f"push-{uuid.uuid4()}",
            token=push.token,
            title=push.title,
            body=push.body,
            data=push.data,
            idempotency_key=push.idempotency_key,
            received_at=time.time(),
        )
        self._record(received)
        return JSONResponse({"id": received.id, "duplicate": False})

    def _record(self, push: ReceivedPush) -> None:
        self.pushes[push.id] = push
        if push.idempotency_key is not None:
            self._ids_by_key[push.idempotency_key] = push.id
        while len(self.pushes) > self.max_pushes:  # bounded memory for long benchmarks
            self.pushes.popitem(last=False)
        while len(self._ids_by_key) > self.max_pushes:
            self._ids_by_key.popitem(last=False)


def create_push_router(sink: PushSink) -> APIRouter:
    """``POST /push/send`` (the provider), ``GET /sandbox/push`` and ``/sandbox/push/rules``."""
    router = APIRouter()

    @router.post("/push/send")
    async def send(request: Request) -> JSONResponse:
        return await sink.send(request)

    @router.get("/sandbox/push")
    async def received(token: str | None = None) -> dict[str, Any]:
        pushes = [asdict(p) for p in sink.pushes.values() if token is None or p.token == token]
        return {"pushes": pushes}

    router.include_router(create_rules_router(sink.rules, "/sandbox/push/rules"))
    return router
