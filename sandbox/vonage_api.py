"""A local stand-in for Vonage's SMS API, its delivery receipts and its Reports API.

Followed from Vonage's documentation, unkind parts included:
- ``POST /sms/json`` answers HTTP 200 whatever happens; each part has a ``status``, "0" for
  success, else a code and ``error-text`` (2 missing parameter, 3 invalid parameter, 4 bad
  credentials, 1 throughput exceeded, 15 invalid sender, 29 non-whitelisted destination).
  Credentials: Basic auth, ``api_key``/``api_secret`` in the body, or ``api_key`` with a
  ``sig`` (HMAC of the sorted parameters and ``timestamp``) made with the signature secret.
- A message over one SMS is split into parts, each with its own ``message-id``, price and
  delivery receipt; receipts for parts arrive in any order. A failed message has at least
  one failed part; the others may well be delivered.
- Receipts come by POST (JSON) to the message's ``callback``, signed (``sig``, ``nonce``,
  ``timestamp``); intermediate ``accepted`` receipts may precede the final one; a webhook
  answered with anything but 2xx is retried.
- The Reports API (``GET /v2/reports/records``, Basic auth only) lists a message only
  ``records_lag_seconds`` after it was sent; ``date_end`` at most 24 hours after
  ``date_start``; ``id`` excludes dates.
- An alphanumeric sender id is refused for the US, Canada and Brazil (status 15).
- Inbound SMS longer than one part arrive as one webhook per part (``concat-ref``,
  ``concat-total``, ``concat-part``).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import secrets
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from vonage_http_client import Auth

from sandbox.webhooks import WebhookSender
from sandbox.world import ProviderWorld, country_of, create_world_router

THROUGHPUT_PER_SECOND = 30  # Vonage's default API throughput per account
MAX_CALLBACK_URL = 100
MAX_CLIENT_REF = 100
ACCEPTED_RECEIPT_SECONDS = 0.05
REMAINING_BALANCE = Decimal("100.00000000")
MAX_MESSAGES = 100_000
# Where carriers refuse an alphanumeric sender id (Vonage answers "Illegal Sender Address").
NO_ALPHANUMERIC_SENDERS = frozenset({"US", "CA", "BR"})
_SMS_LIMITS = {"text": (160, 153), "unicode": (70, 67)}


def error(status: str, text: str) -> JSONResponse:
    return JSONResponse(
        {"message-count": "1", "messages": [{"status": status, "error-text": text}]}
    )


@dataclass(slots=True)
class VonagePart:
    message_id: str
    to: str
    from_: str
    text: str
    client_ref: str | None
    callback: str | None
    price: Decimal
    country: str
    sent_at: float
    concatenated: bool
    status: str = "submitted"
    error_code: str = "0"
    receipts: list[str] = field(default_factory=list)

    def record(self, account: str) -> dict[str, Any]:
        """The Reports API's record for this part."""
        received = datetime.fromtimestamp(self.sent_at, UTC)
        return {
            "account_id": account,
            "message_id": self.message_id,
            "client_ref": self.client_ref,
            "direction": "outbound",
            "from": self.from_,
            "to": self.to,
            "country": self.country,
            "status": self.status,
            "error_code": self.error_code,
            "total_price": str(self.price),
            "currency": "EUR",
            "concatenated": self.concatenated,
            "date_received": received.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }


class VonageInbound(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    text: str = ""
    webhook_url: str


class VonageSandbox:
    def __init__(
        self,
        *,
        api_key: str,
        api_secret: str,
        signature_secret: str,
        signature_method: str = "sha256",
        world: ProviderWorld | None = None,
        records_lag_seconds: float = 2.0,
        webhook_retry_seconds: tuple[float, ...] = (1.0, 5.0, 30.0),
    ) -> None:
        self.api_key, self.api_secret = api_key, api_secret
        self.world = world or ProviderWorld()
        self.records_lag_seconds = records_lag_seconds
        self.parts: dict[str, VonagePart] = {}
        self.webhooks = WebhookSender(webhook_retry_seconds)
        self._signer = Auth(
            api_key=api_key, signature_secret=signature_secret, signature_method=signature_method
        )
        self._recent_calls: deque[float] = deque()

    async def reset(self) -> None:
        await self.webhooks.reset()
        self.parts.clear()
        self._recent_calls.clear()
        self.world.reset()

    # -- the SMS API -----------------------------------------------------------------------

    async def send(self, request: Request) -> Response:
        params = await _params(request)
        if not self._authenticated(request, params):
            return error("4", "Bad Credentials")
        if self._throttled():
            return error("1", "Throughput Rate Exceeded - please wait [ 1000 ] and retry")
        to, from_, text = params.get("to", ""), params.get("from", ""), params.get("text", "")
        for name, value in (("to", to), ("from", from_), ("text", text)):
            if not value:
                return error("2", f"Missing {name} param")
        if not to.isdigit() or not 7 <= len(to) <= 15:
            return error("3", "Invalid to address")
        if not _valid_sender(from_) or (
            not from_.isdigit() and country_of(to) in NO_ALPHANUMERIC_SENDERS
        ):
            return error("15", "Illegal Sender Address - rejected")
        callback = params.get("callback") or None
        if callback is not None and len(callback) > MAX_CALLBACK_URL:
            return error("23", "Invalid Callback Url")
        client_ref = params.get("client-ref") or None
        if client_ref is not None and len(client_ref) > MAX_CLIENT_REF:
            return error("3", "Invalid client-ref")
        kind = params.get("type", "text")
        if kind not in _SMS_LIMITS:
            return error("3", "Invalid type")
        conditions = self.world.for_number(to)
        if conditions.blocked:
            return error("29", "Non-Whitelisted Destination")
        if self.world.in_outage(to):
            return Response("Service Unavailable", status_code=503)

        pieces = _split(text, kind)
        now, country = time.time(), country_of(to)
        parts = [
            VonagePart(
                message_id=str(uuid.uuid4()),
                to=to,
                from_=from_,
                text=piece,
                client_ref=client_ref,
                callback=callback,
                price=conditions.price,
                country=country,
                sent_at=now,
                concatenated=len(pieces) > 1,
            )
            for piece in pieces
        ]
        for part in parts:
            self.parts[part.message_id] = part
        while len(self.parts) > MAX_MESSAGES:
            del self.parts[next(iter(self.parts))]
        self.webhooks.spawn(self._play_carrier(parts, conditions))
        if conditions.answer_delay_seconds:  # taken already: a caller that gives up sent it
            await asyncio.sleep(conditions.answer_delay_seconds)
        answer = {
            "message-count": str(len(parts)),
            "messages": [
                {
                    "to": to,
                    "message-id": part.message_id,
                    "status": "0",
                    "remaining-balance": str(REMAINING_BALANCE),
                    "message-price": str(part.price),
                    "network": "12345",
                    **({"client-ref": client_ref} if client_ref else {}),
                }
                for part in parts
            ],
        }
        return JSONResponse(answer)

    def _authenticated(self, request: Request, params: dict[str, str]) -> bool:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(header[6:], validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                return False
            return secrets.compare_digest(decoded, f"{self.api_key}:{self.api_secret}")
        if params.get("api_key") != self.api_key:
            return False
        if "sig" in params:
            signed = {k: v for k, v in params.items()}
            try:
                fresh = abs(time.time() - int(signed.get("timestamp", "0"))) <= 300
            except ValueError:
                return False
            return fresh and self._signer.check_signature(signed)
        return secrets.compare_digest(params.get("api_secret", ""), self.api_secret)

    def _throttled(self) -> bool:
        now = time.monotonic()
        while self._recent_calls and now - self._recent_calls[0] >= 1.0:
            self._recent_calls.popleft()
        if len(self._recent_calls) >= THROUGHPUT_PER_SECOND:
            return True
        self._recent_calls.append(now)
        return False

    async def _play_carrier(self, parts: list[VonagePart], conditions: Any) -> None:
        delivered = self.world.delivers(conditions)
        failing = set() if delivered else {self.world.pick(len(parts))}
        if not delivered and len(parts) > 1:
            failing |= {i for i in range(len(parts)) if self.world.delivers(conditions) is False}
        failure = conditions.failure_status or "failed"
        code = conditions.failure_code or ("5" if failure == "expired" else "12")

        async def one(index: int, part: VonagePart) -> None:
            await asyncio.sleep(ACCEPTED_RECEIPT_SECONDS * (1 + self.world.pick(3)))
            part.status = "accepted"
            await self._receipt(part)
            await asyncio.sleep(conditions.report_delay_seconds)
            if index in failing:
                part.status, part.error_code = failure, code
            else:
                part.status, part.error_code = "delivered", "0"
            await self._receipt(part)

        # Parts travel separately: their receipts interleave in any order.
        await asyncio.gather(*(one(i, p) for i, p in enumerate(parts)))

    async def _receipt(self, part: VonagePart) -> None:
        part.receipts.append(part.status)
        if part.callback is None:
            return
        now = datetime.now(UTC)
        params = {
            "msisdn": part.to,
            "to": part.from_,
            "network-code": "12345",
            "messageId": part.message_id,
            "price": str(part.price),
            "status": part.status,
            "scts": now.strftime("%y%m%d%H%M"),
            "err-code": part.error_code,
            "api-key": self.api_key,
            "message-timestamp": now.strftime("%Y-%m-%d %H:%M:%S"),
            "timestamp": str(int(now.timestamp())),
            "nonce": str(uuid.uuid4()),
        }
        if part.client_ref:
            params["client-ref"] = part.client_ref
        await self.webhooks.post(
            "delivery-receipt", part.callback, self._signed(params), {}, as_json=True
        )

    def _signed(self, params: dict[str, str]) -> dict[str, str]:
        signing = dict(params)
        sig = self._signer.sign_params(signing)
        return {**params, "timestamp": signing["timestamp"], "sig": sig}

    # -- inbound ---------------------------------------------------------------------------

    async def deliver_inbound(self, inbound: VonageInbound) -> dict[str, Any]:
        pieces = _split(inbound.text, "text") if inbound.text else [""]
        concat_ref = str(self.world.pick(255) + 1)
        now = datetime.now(UTC)
        results = []
        for number, piece in enumerate(pieces, start=1):
            params = {
                "msisdn": inbound.from_.lstrip("+"),
                "to": inbound.to.lstrip("+"),
                "messageId": str(uuid.uuid4()),
                "text": piece,
                "type": "text",
                "keyword": (piece.split() or [""])[0].upper(),
                "api-key": self.api_key,
                "message-timestamp": now.strftime("%Y-%m-%d %H:%M:%S"),
                "timestamp": str(int(now.timestamp())),
                "nonce": str(uuid.uuid4()),
            }
            if len(pieces) > 1:
                params |= {
                    "concat": "true",
                    "concat-ref": concat_ref,
                    "concat-total": str(len(pieces)),
                    "concat-part": str(number),
                }
            signed = self._signed(params)
            ok = await self.webhooks.post("inbound", inbound.webhook_url, signed, {}, as_json=True)
            results.append({"messageId": params["messageId"], "accepted": ok})
        return {"parts": results}

    # -- the Reports API -------------------------------------------------------------------

    def records(self, request: Request) -> JSONResponse:
        header = request.headers.get("authorization", "")
        expected = (
            "Basic " + base64.b64encode(f"{self.api_key}:{self.api_secret}".encode()).decode()
        )
        if not secrets.compare_digest(header, expected):
            return JSONResponse({"title": "Unauthorized"}, status_code=401)
        query = request.query_params
        if query.get("account_id") != self.api_key:
            return JSONResponse({"title": "Forbidden"}, status_code=403)
        if query.get("product") != "SMS" or query.get("direction") not in ("inbound", "outbound"):
            return _unprocessable("product SMS needs a direction")
        ids, start, end = query.get("id"), query.get("date_start"), query.get("date_end")
        visible_before = time.time() - self.records_lag_seconds
        if ids:
            if start or end:
                return _unprocessable("id excludes date_start and date_end")
            wanted = set(ids.split(","))
            found = [p for p in self.parts.values() if p.message_id in wanted]
        else:
            try:
                begin, finish = _iso(start), _iso(end)
            except ValueError:
                return _unprocessable("date_start and date_end are required ISO-8601 dates")
            if finish - begin > timedelta(hours=24) or finish <= begin:
                return _unprocessable("date_end must be after date_start, by 24 hours at most")
            found = [
                p
                for p in self.parts.values()
                if begin.timestamp() <= p.sent_at < finish.timestamp()
            ]
        records = [p.record(self.api_key) for p in found if p.sent_at <= visible_before]
        return JSONResponse(
            {
                "request_id": str(uuid.uuid4()),
                "request_status": "SUCCESS",
                "received_at": datetime.now(UTC).isoformat(),
                "currency": "EUR",
                "records": records,
                "_links": {"self": {"href": str(request.url)}},
            }
        )

    def summary(self) -> list[dict[str, Any]]:
        return [
            {
                **p.record(self.api_key),
                "text": p.text,
                "callback": p.callback,
                "receipts": p.receipts,
            }
            for p in self.parts.values()
        ]


def create_vonage_router(sandbox: VonageSandbox) -> APIRouter:
    router = APIRouter()

    @router.post("/sms/json")
    async def send(request: Request) -> Response:
        return await sandbox.send(request)

    @router.get("/v2/reports/records")
    async def records(request: Request) -> JSONResponse:
        return sandbox.records(request)

    @router.get("/sandbox/vonage/messages")
    async def messages() -> dict[str, Any]:
        return {
            "parts": sandbox.summary(),
            "webhooks": [a.as_json() for a in sandbox.webhooks.attempts],
        }

    @router.post("/sandbox/vonage/inbound")
    async def inbound(message: VonageInbound) -> dict[str, Any]:
        return await sandbox.deliver_inbound(message)

    router.include_router(create_world_router(sandbox.world, "/sandbox/world/vonage"))
    return router


async def _params(request: Request) -> dict[str, str]:
    body = (await request.body()).decode()
    if request.headers.get("content-type", "").startswith("application/json"):
        return {k: str(v) for k, v in json.loads(body or "{}").items()}
    return dict(parse_qsl(body, keep_blank_values=True)) | dict(request.query_params)


def _valid_sender(sender: str) -> bool:
    if sender.isdigit():
        return len(sender) <= 15
    return sender.replace(" ", "").isalnum() and len(sender) <= 11


def _split(text: str, kind: str) -> list[str]:
    single, multi = _SMS_LIMITS[kind]
    if len(text) <= single:
        return [text]
    return [text[i : i + multi] for i in range(0, len(text), multi)]


def _iso(value: str | None) -> datetime:
    if not value:
        raise ValueError("missing")
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _unprocessable(detail: str) -> JSONResponse:
    return JSONResponse({"title": "Unprocessable Entity", "detail": detail}, status_code=422)
