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

This module owns the account (credentials, throughput, the send call) and the routes; the
stored part and how a text splits are in sandbox/vonage_message.py, the carrier with its
signed receipts and inbound webhooks in sandbox/vonage_carrier.py, the Reports API in
sandbox/vonage_reports.py. Other code imports from here.
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
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from vonage_http_client import Auth

from sandbox import vonage_reports
from sandbox.vonage_carrier import VonageCarrier, VonageInbound
from sandbox.vonage_message import SMS_LIMITS, VonagePart, split_text, vonage_error
from sandbox.webhooks import WebhookSender
from sandbox.world import ProviderWorld, country_of, create_world_router

# Imported from here by other modules: the sandbox and its routes (sandbox/app.py).
__all__ = ["VonageInbound", "VonagePart", "VonageSandbox", "create_vonage_router"]

THROUGHPUT_PER_SECOND = 30  # Vonage's default API throughput per account
MAX_CALLBACK_URL = 100
MAX_CLIENT_REF = 100
REMAINING_BALANCE = Decimal("100.00000000")
MAX_MESSAGES = 100_000
# Where carriers refuse an alphanumeric sender id (Vonage answers "Illegal Sender Address").
NO_ALPHANUMERIC_SENDERS = frozenset({"US", "CA", "BR"})


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
        self.carrier = VonageCarrier(
            api_key=api_key, signer=self._signer, world=self.world, webhooks=self.webhooks
        )

    async def reset(self) -> None:
        await self.webhooks.reset()
        self.parts.clear()
        self._recent_calls.clear()
        self.world.reset()

    # -- the SMS API -----------------------------------------------------------------------

    async def send(self, request: Request) -> Response:
        params = await _params(request)
        if not self._authenticated(request, params):
            return vonage_error("4", "Bad Credentials")
        if self._throttled():
            return vonage_error("1", "Throughput Rate Exceeded - please wait [ 1000 ] and retry")
        to, from_, text = params.get("to", ""), params.get("from", ""), params.get("text", "")
        for name, value in (("to", to), ("from", from_), ("text", text)):
            if not value:
                return vonage_error("2", f"Missing {name} param")
        if not to.isdigit() or not 7 <= len(to) <= 15:
            return vonage_error("3", "Invalid to address")
        if not _valid_sender(from_) or (
            not from_.isdigit() and country_of(to) in NO_ALPHANUMERIC_SENDERS
        ):
            return vonage_error("15", "Illegal Sender Address - rejected")
        callback = params.get("callback") or None
        if callback is not None and len(callback) > MAX_CALLBACK_URL:
            return vonage_error("23", "Invalid Callback Url")
        client_ref = params.get("client-ref") or None
        if client_ref is not None and len(client_ref) > MAX_CLIENT_REF:
            return vonage_error("3", "Invalid client-ref")
        kind = params.get("type", "text")
        if kind not in SMS_LIMITS:
            return vonage_error("3", "Invalid type")
        conditions = self.world.for_number(to)
        if conditions.blocked:
            return vonage_error("29", "Non-Whitelisted Destination")
        if self.world.in_outage(to):
            return Response("Service Unavailable", status_code=503)

        pieces = split_text(text, kind)
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
        self.webhooks.spawn(self.carrier.play(parts, conditions))
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
            return secrets.compare_digest(
                decoded.encode(), f"{self.api_key}:{self.api_secret}".encode()
            )
        if params.get("api_key") != self.api_key:
            return False
        if "sig" in params:
            signed = {k: v for k, v in params.items()}
            try:
                fresh = abs(time.time() - int(signed.get("timestamp", "0"))) <= 300
            except ValueError:
                return False
            return fresh and self._signer.check_signature(signed)
        return secrets.compare_digest(
            params.get("api_secret", "").encode(), self.api_secret.encode()
        )

    def _throttled(self) -> bool:
        now = time.monotonic()
        while self._recent_calls and now - self._recent_calls[0] >= 1.0:
            self._recent_calls.popleft()
        if len(self._recent_calls) >= THROUGHPUT_PER_SECOND:
            return True
        self._recent_calls.append(now)
        return False

    # -- inbound ---------------------------------------------------------------------------

    async def deliver_inbound(self, inbound: VonageInbound) -> dict[str, Any]:
        return await self.carrier.deliver_inbound(inbound)

    # -- the Reports API -------------------------------------------------------------------

    def records(self, request: Request) -> JSONResponse:
        return vonage_reports.records(
            request,
            self.parts.values(),
            api_key=self.api_key,
            api_secret=self.api_secret,
            lag_seconds=self.records_lag_seconds,
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
