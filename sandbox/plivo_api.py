"""A local stand-in for Plivo's Message API (``/v1/Account/{auth_id}/Message/``).

Followed from Plivo's documentation, unkind parts included:
- Basic auth with the auth id and token; the path's auth id must be the caller's (401).
- The send answers 202 ``{"message_uuid": [...]}``; a long message is one message of
  several ``units``. A destination the account may not reach is a 403 (geo permission).
- Status callbacks on every change: ``queued``, ``sent``, then ``delivered``,
  ``undelivered`` or ``failed``; each has a ``Sequence``. ``TotalRate``/``TotalAmount``
  are "0" until the message is sent, and a ``failed`` message is not charged; ``ErrorCode``
  is set for ``failed``/``undelivered`` only; ``DeliveryReportTime`` is empty until the final
  report. ``ParentMessageUUID`` equals ``MessageUUID`` and ``PartInfo`` is reserved.
- No delivery report for the US and Canada: the message stays ``sent``, delivered or not.
- Callbacks are signed: ``X-Plivo-Signature-V3`` (and ``-Ma-V3``) with
  ``X-Plivo-Signature-V3-Nonce``; answered with anything but 2xx, they are retried.
- The listing: newest first, ``limit`` 1 to 20, the last 24 hours unless a
  ``message_time`` filter says otherwise, 20 requests a minute (then 429).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import secrets
import time
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from plivo.utils.signature_v3 import construct_post_url, get_signature_v3
from pydantic import BaseModel, ConfigDict, Field

from sandbox.twilio_api import count_segments
from sandbox.webhooks import WebhookSender
from sandbox.world import ProviderWorld, RouteConditions, country_of, create_world_router

LIST_REQUESTS_PER_MINUTE = 20
MAX_LIMIT = 20
NO_DELIVERY_REPORTS = frozenset({"US", "CA"})
SENT_SECONDS = 0.05
MAX_MESSAGES = 100_000
_TIME = "%Y-%m-%d %H:%M:%S"


def plivo_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"api_id": str(uuid.uuid4()), "error": message}, status_code=status)


@dataclass(slots=True)
class PlivoMessage:
    uuid: str
    auth_id: str
    src: str
    dst: str
    text: str
    units: int
    rate: Decimal
    url: str | None
    method: str
    time: datetime
    state: str = "queued"
    error_code: str = ""
    sequence: int = 0
    sent_at: datetime | None = None
    reported_at: datetime | None = None

    @property
    def charged(self) -> Decimal:
        return Decimal(0) if self.state in ("queued", "failed") else self.rate * self.units

    def record(self) -> dict[str, Any]:
        """The message detail record (MDR) the API lists."""
        return {
            "api_id": str(uuid.uuid4()),
            "message_uuid": self.uuid,
            "message_time": self.time.strftime(_TIME) + "+00:00",
            "message_direction": "outbound",
            "message_state": self.state,
            "message_type": "sms",
            "from_number": self.src,
            "to_number": self.dst,
            "units": self.units,
            "total_rate": str(self.rate if self.state not in ("queued", "failed") else 0),
            "total_amount": str(self.charged),
            "error_code": self.error_code or "000",
            "resource_uri": f"/v1/Account/{self.auth_id}/Message/{self.uuid}/",
        }


class PlivoInbound(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    text: str = ""
    webhook_url: str


class PlivoSandbox:
    def __init__(
        self,
        *,
        auth_id: str,
        auth_token: str,
        world: ProviderWorld | None = None,
        webhook_retry_seconds: tuple[float, ...] = (1.0, 5.0, 30.0),
        list_requests_per_minute: int = LIST_REQUESTS_PER_MINUTE,
    ) -> None:
        self.auth_id, self.auth_token = auth_id, auth_token
        self.world = world or ProviderWorld()
        self.messages: dict[str, PlivoMessage] = {}
        self.webhooks = WebhookSender(webhook_retry_seconds)
        self.list_requests_per_minute = list_requests_per_minute
        self._list_calls: deque[float] = deque()
        self._expected = "Basic " + base64.b64encode(f"{auth_id}:{auth_token}".encode()).decode()

    async def reset(self) -> None:
        await self.webhooks.reset()
        self.messages.clear()
        self._list_calls.clear()
        self.world.reset()

    def authenticate(self, request: Request, auth_id: str) -> JSONResponse | None:
        header = request.headers.get("authorization", "")
        try:
            ok = header.lower().startswith("basic ") and secrets.compare_digest(
                base64.b64decode(header[6:], validate=True),
                f"{self.auth_id}:{self.auth_token}".encode(),
            )
        except (binascii.Error, UnicodeDecodeError):
            ok = False
        if ok and auth_id == self.auth_id:
            return None
        return plivo_error(401, "Authentication credentials invalid")

    async def send(self, request: Request, auth_id: str) -> Response:
        if (denied := self.authenticate(request, auth_id)) is not None:
            return denied
        try:
            payload = await request.json()
        except ValueError:
            return plivo_error(400, "invalid JSON body")
        src = str(payload.get("src") or "").lstrip("+")
        dst = str(payload.get("dst") or "").lstrip("+")
        text = payload.get("text")
        if not dst:
            return plivo_error(400, "dst parameter not present")
        if not src and not payload.get("powerpack_uuid"):
            return plivo_error(400, "src parameter not present")
        if "<" in dst:
            return plivo_error(400, "Herald's sandbox sends to one destination at a time")
        if not dst.isdigit() or not 7 <= len(dst) <= 15:
            return plivo_error(400, f"{dst} is not a valid destination number")
        if src == dst:
            return plivo_error(400, "destination number cannot be same as source number")
        if not text:
            return plivo_error(400, "text parameter not present")
        conditions = self.world.for_number(dst)
        if conditions.blocked:
            return plivo_error(403, "This destination is not enabled: geo permissions")
        if self.world.in_outage(dst):
            return Response("Service Unavailable", status_code=503)
        message = PlivoMessage(
            uuid=str(uuid.uuid4()),
            auth_id=self.auth_id,
            src=src,
            dst=dst,
            text=text,
            units=count_segments(text),
            rate=conditions.price,
            url=payload.get("url") or None,
            method=str(payload.get("method") or "POST").upper(),
            time=datetime.now(UTC),
        )
        self.messages[message.uuid] = message
        while len(self.messages) > MAX_MESSAGES:
            del self.messages[next(iter(self.messages))]
        self.webhooks.spawn(self._play_carrier(message, conditions))
        if conditions.answer_delay_seconds:  # taken already: a caller that gives up sent it
            await asyncio.sleep(conditions.answer_delay_seconds)
        return JSONResponse(
            {
                "api_id": str(uuid.uuid4()),
                "message": "message(s) queued",
                "message_uuid": [message.uuid],
            },
            status_code=202,
        )

    async def _play_carrier(self, message: PlivoMessage, conditions: RouteConditions) -> None:
        await self._callback(message)  # queued
        await asyncio.sleep(SENT_SECONDS)
        delivered = self.world.delivers(conditions)
        failure = conditions.failure_status or "undelivered"
        if not delivered and failure == "failed":  # refused before any carrier: no charge
            message.state, message.error_code = "failed", conditions.failure_code or "200"
            message.reported_at = datetime.now(UTC)
            await self._callback(message)
            return
        message.state, message.sent_at = "sent", datetime.now(UTC)
        await self._callback(message)
        if country_of(message.dst) in NO_DELIVERY_REPORTS:
            return  # Plivo gets no receipt here: the message stays "sent"
        await asyncio.sleep(conditions.report_delay_seconds)
        if delivered:
            message.state, message.error_code = "delivered", ""
        else:
            message.state, message.error_code = "undelivered", conditions.failure_code or "30"
        message.reported_at = datetime.now(UTC)
        await self._callback(message)

    async def _callback(self, message: PlivoMessage) -> None:
        message.sequence += 1
        if message.url is None:
            return
        params = {
            "MessageUUID": message.uuid,
            "ParentMessageUUID": message.uuid,
            "PartInfo": "",
            "To": message.dst,
            "From": message.src,
            "Type": "sms",
            "Status": message.state,
            "Units": str(message.units),
            "TotalRate": str(message.rate if message.charged else 0),
            "TotalAmount": str(message.charged),
            "MCC": "",
            "MNC": "",
            "ErrorCode": message.error_code if message.state in ("failed", "undelivered") else "",
            "Sequence": str(message.sequence),
            "MessageTime": message.time.strftime(_TIME + ".%f"),
            "QueuedTime": message.time.strftime(_TIME + ".%f"),
            "SentTime": message.sent_at.strftime(_TIME + ".%f") if message.sent_at else "",
            "DeliveryReportTime": (
                message.reported_at.strftime(_TIME + ".%f") if message.reported_at else ""
            ),
            "PowerpackUUID": "",
        }
        await self.webhooks.post(
            "status", message.url, params, self.signature_headers(message.url, params)
        )

    def signature_headers(self, url: str, params: dict[str, str]) -> dict[str, str]:
        """Plivo's V3 signature, computed the way its SDK's validator checks it."""
        nonce = secrets.token_hex(10)
        base = construct_post_url(url, dict(params)).decode()
        signature = get_signature_v3(self.auth_token.encode(), base, nonce.encode()).decode()
        return {
            "X-Plivo-Signature-V3": signature,
            "X-Plivo-Signature-Ma-V3": signature,
            "X-Plivo-Signature-V3-Nonce": nonce,
        }

    def list(self, request: Request, auth_id: str) -> JSONResponse:
        if (denied := self.authenticate(request, auth_id)) is not None:
            return denied
        now = time.monotonic()
        while self._list_calls and now - self._list_calls[0] >= 60.0:
            self._list_calls.popleft()
        if len(self._list_calls) >= self.list_requests_per_minute:
            return plivo_error(429, "too many requests")
        self._list_calls.append(now)
        query = request.query_params
        try:
            limit = int(query.get("limit", MAX_LIMIT))
            offset = int(query.get("offset", 0))
            bounds = {
                op: _time(query.get(f"message_time__{op}")) for op in ("gt", "gte", "lt", "lte")
            }
        except ValueError as exc:
            return plivo_error(400, f"invalid filter: {exc}")
        if not 0 < limit <= MAX_LIMIT or offset < 0:
            return plivo_error(400, "limit must be between 1 and 20, offset at least 0")
        if not any(bounds.values()):
            bounds["gte"] = datetime.now(UTC) - timedelta(hours=24)
        direction = query.get("message_direction")
        to, from_ = query.get("to_number"), query.get("from_number")
        state = query.get("message_state")
        matching = [
            m
            for m in reversed(self.messages.values())
            if direction in (None, "outbound")
            and (to is None or m.dst == to.lstrip("+"))
            and (from_ is None or m.src == from_.lstrip("+"))
            and (state is None or m.state == state)
            and _within(m.time, bounds)
        ]
        page = matching[offset : offset + limit]
        base = f"/v1/Account/{auth_id}/Message/"
        more = offset + limit < len(matching)
        return JSONResponse(
            {
                "api_id": str(uuid.uuid4()),
                "meta": {
                    "limit": limit,
                    "offset": offset,
                    "next": f"{base}?limit={limit}&offset={offset + limit}" if more else None,
                    "previous": None
                    if offset == 0
                    else f"{base}?limit={limit}&offset={max(offset - limit, 0)}",
                },
                "objects": [m.record() for m in page],
            }
        )

    def get(self, request: Request, auth_id: str, message_uuid: str) -> JSONResponse:
        if (denied := self.authenticate(request, auth_id)) is not None:
            return denied
        message = self.messages.get(message_uuid)
        if message is None:
            return plivo_error(404, "not found")
        return JSONResponse(message.record())

    async def deliver_inbound(self, inbound: PlivoInbound) -> dict[str, Any]:
        params = {
            "From": inbound.from_.lstrip("+"),
            "To": inbound.to.lstrip("+"),
            "Text": inbound.text,
            "Type": "sms",
            "MessageUUID": str(uuid.uuid4()),
            "Units": str(count_segments(inbound.text) if inbound.text else 1),
            "TotalRate": "0.00000",
            "TotalAmount": "0.00000",
        }
        headers = self.signature_headers(inbound.webhook_url, params)
        ok = await self.webhooks.post("inbound", inbound.webhook_url, params, headers)
        return {"MessageUUID": params["MessageUUID"], "accepted": ok}


def create_plivo_router(sandbox: PlivoSandbox) -> APIRouter:
    router = APIRouter()
    base = "/v1/Account/{auth_id}/Message"

    @router.post(f"{base}/")
    async def send(auth_id: str, request: Request) -> Response:
        return await sandbox.send(request, auth_id)

    @router.get(f"{base}/")
    async def listing(auth_id: str, request: Request) -> JSONResponse:
        return sandbox.list(request, auth_id)

    @router.get(f"{base}/{{message_uuid}}/")
    async def get(auth_id: str, message_uuid: str, request: Request) -> JSONResponse:
        return sandbox.get(request, auth_id, message_uuid)

    @router.get("/sandbox/plivo/messages")
    async def messages() -> dict[str, Any]:
        return {
            "messages": [
                m.record() | {"text": m.text, "url": m.url} for m in sandbox.messages.values()
            ],
            "webhooks": [a.as_json() for a in sandbox.webhooks.attempts],
        }

    @router.post("/sandbox/plivo/inbound")
    async def inbound(message: PlivoInbound) -> dict[str, Any]:
        return await sandbox.deliver_inbound(message)

    router.include_router(create_world_router(sandbox.world, "/sandbox/world/plivo"))
    return router


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _within(moment: datetime, bounds: dict[str, datetime | None]) -> bool:
    checks = {
        "gt": lambda b: moment > b,
        "gte": lambda b: moment >= b,
        "lt": lambda b: moment < b,
        "lte": lambda b: moment <= b,
    }
    return all(bound is None or checks[op](bound) for op, bound in bounds.items())
