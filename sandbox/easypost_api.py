"""A local stand-in for EasyPost's Trackers API (``/v2/trackers``) and its webhooks
(``/v2/webhooks``), as the official ``easypost`` SDK (10.x) calls them.

Followed from EasyPost's documentation and the SDK's own recorded responses:
- The API key is the credential: HTTP Basic with the key as user name and no password (the
  documented form), or ``Authorization: Bearer <key>`` (what the 10.x SDK sends). Anything
  else is a 401 in EasyPost's error shape, ``{"error": {"code", "message", "errors"}}``:
  ``APIKEY.REQUIRED`` without a key, ``APIKEY.INACTIVE`` for a key the account does not have.
- ``POST /v2/trackers`` with ``{"tracker": {"tracking_code", "carrier"}}`` answers 201 with
  a Tracker (``trk_`` and 32 hex digits). The same code and carrier again within three
  months returns the original tracker, not a second one. In test mode only EasyPost's test
  codes are valid (``EZ1000000001`` pre_transit ... ``EZ7000000007`` unknown); any other is
  a 422 ``TRACKER.CREATE.ERROR``, unless a test told the carrier of it first (the sandbox's
  control route below), as a real carrier knows a parcel it scanned.
- A tracker's ``tracking_details`` hold one entry per status it went through (empty while
  ``unknown``); ``est_delivery_date`` is null until the carrier has the parcel
  (pre_transit on), ``signed_by`` until it is delivered. Times are UTC, ``...Z``.
- ``GET /v2/trackers/{id}`` (404 ``NOT_FOUND``), ``GET /v2/trackers`` newest first with
  ``page_size`` (1 to 100), ``before_id``, ``tracking_code`` and ``carrier``, and
  ``has_more``.
- Webhooks: ``POST/GET/DELETE /v2/webhooks`` (``url``, optional ``webhook_secret``, which is
  never shown back). ``tracker.created`` on a new tracker and ``tracker.updated`` on every
  change are Events (``evt_``) POSTed as JSON to each webhook; with a secret, signed as the
  SDK's ``validate_webhook`` checks: ``X-Hmac-Signature: hmac-sha256-hex=<HMAC-SHA256 of
  the body with the NFKD-normalised secret>``. Anything but a 2xx answer is retried with a
  growing back-off (EasyPost: for up to a day; here, the configured delays).

Sandbox only: ``POST /sandbox/easypost/trackers/{id}/advance`` moves a tracker to the next
status of a parcel's life (or ``{"status": ...}``), as a carrier scan would;
``POST /sandbox/easypost/parcels`` tells the carrier of another tracking code.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sandbox.easypost_trackers import (
    DEFAULT_CARRIER,
    NEXT_STATUS,
    STATUSES,
    TEST_TRACKING_CODES,
    SandboxTracker,
    life_until,
    object_id,
    stamp,
)
from sandbox.webhooks import WebhookAttempt, WebhookSender

DEDUPE_WINDOW = timedelta(days=90)
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
SIGNATURE_HEADER = "X-Hmac-Signature"


def easypost_error(
    status: int, code: str, message: str, errors: list[Any] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, "errors": errors or []}}, status_code=status
    )


def sign(body: bytes, secret: str) -> str:
    """The ``X-Hmac-Signature`` value EasyPost sends (the SDK's validate_webhook checks it)."""
    key = unicodedata.normalize("NFKD", secret).encode()
    return "hmac-sha256-hex=" + hmac.new(key, body, hashlib.sha256).hexdigest()


@dataclass
class SandboxWebhook:
    id: str
    url: str
    secret: str | None
    created_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "Webhook",
            "mode": "test",
            "url": self.url,
            "created_at": stamp(self.created_at),
            "disabled_at": None,
        }


class EasyPostSandbox:
    def __init__(
        self, *, api_key: str, webhook_retry_seconds: tuple[float, ...] = (1.0, 5.0, 30.0)
    ) -> None:
        self.api_key = api_key
        self.trackers: dict[str, SandboxTracker] = {}
        self.webhooks: dict[str, SandboxWebhook] = {}
        self.parcels: dict[str, tuple[str, str]] = {}  # code -> (carrier, status), told by tests
        self.sender = WebhookSender(webhook_retry_seconds)
        self.events: list[dict[str, Any]] = []  # every Event created, oldest first

    async def reset(self) -> None:
        await self.sender.reset()
        self.trackers.clear()
        self.webhooks.clear()
        self.parcels.clear()
        self.events.clear()

    def authenticate(self, request: Request) -> JSONResponse | None:
        header = request.headers.get("authorization", "")
        scheme, _, credential = header.partition(" ")
        key = ""
        if scheme.lower() == "bearer":
            key = credential.strip()
        elif scheme.lower() == "basic":
            try:
                key = base64.b64decode(credential, validate=True).decode().partition(":")[0]
            except (binascii.Error, UnicodeDecodeError):
                key = ""
        if not key:
            return easypost_error(
                401, "APIKEY.REQUIRED", "Missing or invalid API key, please authenticate."
            )
        if not secrets.compare_digest(key.encode(), self.api_key.encode()):
            return easypost_error(
                401,
                "APIKEY.INACTIVE",
                "This api key is no longer active. Please use a different api key.",
            )
        return None

    # ---- trackers ---------------------------------------------------------------------

    def create_tracker(self, code: str, carrier: str | None) -> tuple[SandboxTracker, bool]:
        """The tracker (created: True) or the one made for this code and carrier within
        the dedupe window. ValueError: no carrier knows the code."""
        known = self.parcels.get(code)
        if known is None and code not in TEST_TRACKING_CODES:
            raise ValueError(code)
        carrier_name = (carrier or (known[0] if known else DEFAULT_CARRIER)).strip()
        now = datetime.now(UTC)
        for tracker in self.trackers.values():
            same = tracker.tracking_code == code and tracker.carrier.lower() == carrier_name.lower()
            if same and now - tracker.created_at < DEDUPE_WINDOW:
                return tracker, False
        status = known[1] if known else TEST_TRACKING_CODES[code]
        tracker = SandboxTracker(object_id("trk"), code, carrier_name, status, now, now)
        tracker.history = life_until(status, now)
        self.trackers[tracker.id] = tracker
        self._publish("tracker.created", tracker, None)
        return tracker, True

    def advance(self, tracker: SandboxTracker, status: str | None) -> None:
        """A carrier scan: the tracker moves on and its webhooks hear of it."""
        new = status or NEXT_STATUS.get(tracker.status)
        if new is None or new == tracker.status:
            return
        previous = tracker.status
        now = datetime.now(UTC)
        tracker.status, tracker.updated_at = new, now
        tracker.history.append((new, now))
        self._publish("tracker.updated", tracker, {"status": previous})

    def listing(self, params: dict[str, str]) -> dict[str, Any] | JSONResponse:
        try:
            size = int(params.get("page_size", DEFAULT_PAGE_SIZE))
        except ValueError:
            size = 0
        if not 1 <= size <= MAX_PAGE_SIZE:
            return easypost_error(
                422, "PARAMETER.INVALID", f"page_size must be between 1 and {MAX_PAGE_SIZE}"
            )
        found = sorted(self.trackers.values(), key=lambda t: t.created_at, reverse=True)
        if code := params.get("tracking_code"):
            found = [t for t in found if t.tracking_code == code]
        if carrier := params.get("carrier"):
            found = [t for t in found if t.carrier.lower() == carrier.lower()]
        if before := params.get("before_id"):
            ids = [t.id for t in found]
            found = found[ids.index(before) + 1 :] if before in ids else []
        return {"trackers": [t.as_json() for t in found[:size]], "has_more": len(found) > size}

    # ---- webhooks ---------------------------------------------------------------------

    def _publish(
        self, description: str, tracker: SandboxTracker, previous: dict[str, Any] | None
    ) -> None:
        now = datetime.now(UTC)
        urls = [hook.url for hook in self.webhooks.values()]
        event = {
            "id": object_id("evt"),
            "object": "Event",
            "mode": "test",
            "description": description,
            "previous_attributes": previous or {},
            "result": tracker.as_json(),
            "status": "pending" if urls else "completed",
            "pending_urls": urls,
            "completed_urls": [],
            "created_at": stamp(now),
            "updated_at": stamp(now),
            "user_id": "user_" + "0" * 32,
        }
        self.events.append(event)
        body = json.dumps(event).encode()
        for hook in list(self.webhooks.values()):
            headers = {"Content-Type": "application/json"}
            if hook.secret:
                headers[SIGNATURE_HEADER] = sign(body, hook.secret)
            self.sender.spawn(self._deliver(description, hook.url, body, headers))

    async def _deliver(self, kind: str, url: str, body: bytes, headers: dict[str, str]) -> None:
        """POST now, then again after each delay until a 2xx answer (at least once)."""
        for delay in (0.0, *self.sender.retry_delays_seconds):
            await asyncio.sleep(delay)
            status, error = None, None
            try:
                async with self.sender.http.post(url, data=body, headers=headers) as response:
                    status = response.status
            except (aiohttp.ClientError, TimeoutError) as exc:
                error = repr(exc)
            self.sender.attempts.append(WebhookAttempt(kind, url, status, error, time.time()))
            if status is not None and 200 <= status < 300:
                return


async def _control_body(request: Request) -> dict[str, Any] | None:
    """A control route's JSON object (no body: an empty one); None: not an object."""
    try:
        payload = json.loads(await request.body() or b"{}")
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def create_easypost_router(box: EasyPostSandbox) -> APIRouter:
    router = APIRouter()

    async def body_of(request: Request, wrapper: str) -> dict[str, Any] | JSONResponse:
        try:
            payload = json.loads(await request.body() or b"{}")
        except ValueError:
            return easypost_error(400, "BAD_REQUEST", "The request body is not valid JSON.")
        inner = payload.get(wrapper) if isinstance(payload, dict) else None
        if not isinstance(inner, dict):
            return easypost_error(
                422,
                "PARAMETER.REQUIRED",
                "Missing required parameter.",
                [{"field": wrapper, "message": "cannot be blank"}],
            )
        return inner

    @router.post("/v2/trackers")
    async def create_tracker(request: Request) -> JSONResponse:
        if (denied := box.authenticate(request)) is not None:
            return denied
        params = await body_of(request, "tracker")
        if isinstance(params, JSONResponse):
            return params
        code = str(params.get("tracking_code") or "").strip()
        if not code:
            return easypost_error(
                422,
                "PARAMETER.REQUIRED",
                "Missing required parameter.",
                [{"field": "tracking_code", "message": "cannot be blank"}],
            )
        carrier = params.get("carrier")
        try:
            tracker, created = box.create_tracker(code, str(carrier) if carrier else None)
        except ValueError:
            return easypost_error(
                422,
                "TRACKER.CREATE.ERROR",
                "In test mode, only test tracking numbers are valid. Test tracking numbers "
                "are EZ1000000001, EZ2000000002, ... , EZ7000000007",
            )
        return JSONResponse(tracker.as_json(), status_code=201 if created else 200)

    @router.get("/v2/trackers")
    async def list_trackers(request: Request) -> JSONResponse:
        if (denied := box.authenticate(request)) is not None:
            return denied
        listed = box.listing(dict(request.query_params))
        return listed if isinstance(listed, JSONResponse) else JSONResponse(listed)

    @router.get("/v2/trackers/{tracker_id}")
    async def retrieve_tracker(tracker_id: str, request: Request) -> JSONResponse:
        if (denied := box.authenticate(request)) is not None:
            return denied
        tracker = box.trackers.get(tracker_id)
        if tracker is None:
            return easypost_error(404, "NOT_FOUND", "The requested resource could not be found.")
        return JSONResponse(tracker.as_json())

    @router.post("/v2/webhooks")
    async def create_webhook(request: Request) -> JSONResponse:
        if (denied := box.authenticate(request)) is not None:
            return denied
        params = await body_of(request, "webhook")
        if isinstance(params, JSONResponse):
            return params
        url = str(params.get("url") or "")
        if not url.startswith(("http://", "https://")):
            return easypost_error(
                422,
                "PARAMETER.INVALID",
                "Invalid parameter.",
                [{"field": "url", "message": "must be an http or https URL"}],
            )
        secret = params.get("webhook_secret")
        hook = SandboxWebhook(
            object_id("hook"), url, str(secret) if secret else None, datetime.now(UTC)
        )
        box.webhooks[hook.id] = hook
        return JSONResponse(hook.as_json(), status_code=201)

    @router.get("/v2/webhooks")
    async def list_webhooks(request: Request) -> JSONResponse:
        if (denied := box.authenticate(request)) is not None:
            return denied
        return JSONResponse({"webhooks": [h.as_json() for h in box.webhooks.values()]})

    @router.delete("/v2/webhooks/{hook_id}")
    async def delete_webhook(hook_id: str, request: Request) -> JSONResponse:
        if (denied := box.authenticate(request)) is not None:
            return denied
        if box.webhooks.pop(hook_id, None) is None:
            return easypost_error(404, "NOT_FOUND", "The requested resource could not be found.")
        return JSONResponse({})

    # ---- the sandbox's own control routes -------------------------------------------------

    @router.post("/sandbox/easypost/trackers/{tracker_id}/advance")
    async def advance(tracker_id: str, request: Request) -> JSONResponse:
        tracker = box.trackers.get(tracker_id)
        if tracker is None:
            return JSONResponse({"error": f"no tracker {tracker_id}"}, status_code=404)
        control = await _control_body(request)
        if control is None:
            return JSONResponse({"error": "the body is not a JSON object"}, status_code=422)
        status = control.get("status")
        if status is not None and status not in STATUSES:
            return JSONResponse({"error": f"unknown status {status!r}"}, status_code=422)
        box.advance(tracker, status)
        return JSONResponse(tracker.as_json())

    @router.post("/sandbox/easypost/parcels")
    async def tell_carrier(request: Request) -> JSONResponse:
        payload = await _control_body(request)
        if payload is None:
            return JSONResponse({"error": "the body is not a JSON object"}, status_code=422)
        code, status = str(payload.get("tracking_code") or ""), payload.get("status", "in_transit")
        if not code or status not in STATUSES:
            return JSONResponse({"error": "tracking_code and a known status"}, status_code=422)
        box.parcels[code] = (str(payload.get("carrier") or DEFAULT_CARRIER), status)
        return JSONResponse({"tracking_code": code, "status": status}, status_code=201)

    @router.get("/sandbox/easypost/trackers")
    async def every_tracker(tracking_code: str | None = None) -> dict[str, Any]:
        trackers = [t for t in box.trackers.values() if tracking_code in (None, t.tracking_code)]
        attempts = [a.as_json() for a in box.sender.attempts]
        return {"trackers": [t.as_json() for t in trackers], "webhook_attempts": attempts}

    return router
