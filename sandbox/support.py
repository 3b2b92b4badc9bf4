"""A stand-in support desk: records call-back requests and alerts, one per idempotency key.

``GET /sandbox/support/requests`` lists them (``?kind=callback`` or ``alert``);
``DELETE`` forgets them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

PREFIX = "/sandbox/support"


class SupportRequest(BaseModel):
    idempotency_key: str = Field(min_length=1, max_length=200)
    context: dict[str, Any]


class SandboxSupport:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self._by_key: dict[tuple[str, str], dict[str, Any]] = {}

    def record(self, kind: str, body: SupportRequest) -> dict[str, Any]:
        key = (kind, body.idempotency_key)
        if key in self._by_key:
            return self._by_key[key]
        entry = {
            "id": f"{kind.upper()}-{len(self.requests) + 1:05d}",
            "kind": kind,
            "idempotency_key": body.idempotency_key,
            "context": body.context,
            "received_at": datetime.now(UTC).isoformat(),
        }
        self.requests.append(entry)
        self._by_key[key] = entry
        return entry

    def reset(self) -> None:
        self.requests.clear()
        self._by_key.clear()


def create_support_router(support: SandboxSupport | None = None) -> APIRouter:
    support = support or SandboxSupport()
    router = APIRouter(prefix=PREFIX, tags=["sandbox support"])

    @router.post("/callbacks")
    async def open_callback(body: SupportRequest) -> dict[str, str]:
        return {"ticket_id": support.record("callback", body)["id"]}

    @router.post("/alerts")
    async def alert(body: SupportRequest) -> dict[str, str]:
        return {"alert_id": support.record("alert", body)["id"]}

    @router.get("/requests")
    async def requests(kind: str | None = None) -> dict[str, Any]:
        return {"requests": [r for r in support.requests if kind in (None, r["kind"])]}

    @router.delete("/requests")
    async def reset() -> dict[str, bool]:
        support.reset()
        return {"reset": True}

    return router
