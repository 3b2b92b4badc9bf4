"""The Vonage sandbox's Reports API: ``GET /v2/reports/records`` over the stored parts.

Basic auth only. A message is listed only ``lag_seconds`` after it was sent;
``date_end`` is at most 24 hours after ``date_start``; ``id`` excludes dates.
"""

from __future__ import annotations

import base64
import secrets
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from fastapi import Request
from fastapi.responses import JSONResponse

from sandbox.vonage_message import VonagePart


def records(
    request: Request,
    parts: Iterable[VonagePart],
    *,
    api_key: str,
    api_secret: str,
    lag_seconds: float,
) -> JSONResponse:
    """The Reports API's answer to ``request``, listing those of ``parts`` it asks for."""
    header = request.headers.get("authorization", "")
    expected = "Basic " + base64.b64encode(f"{api_key}:{api_secret}".encode()).decode()
    if not secrets.compare_digest(header.encode(), expected.encode()):
        return JSONResponse({"title": "Unauthorized"}, status_code=401)
    query = request.query_params
    if query.get("account_id") != api_key:
        return JSONResponse({"title": "Forbidden"}, status_code=403)
    if query.get("product") != "SMS" or query.get("direction") not in ("inbound", "outbound"):
        return _unprocessable("product SMS needs a direction")
    ids, start, end = query.get("id"), query.get("date_start"), query.get("date_end")
    visible_before = time.time() - lag_seconds
    if ids:
        if start or end:
            return _unprocessable("id excludes date_start and date_end")
        wanted = set(ids.split(","))
        found = [p for p in parts if p.message_id in wanted]
    else:
        try:
            begin, finish = _iso(start), _iso(end)
        except ValueError:
            return _unprocessable("date_start and date_end are required ISO-8601 dates")
        if finish - begin > timedelta(hours=24) or finish <= begin:
            return _unprocessable("date_end must be after date_start, by 24 hours at most")
        found = [p for p in parts if begin.timestamp() <= p.sent_at < finish.timestamp()]
    listed = [p.record(api_key) for p in found if p.sent_at <= visible_before]
    return JSONResponse(
        {
            "request_id": str(uuid.uuid4()),
            "request_status": "SUCCESS",
            "received_at": datetime.now(UTC).isoformat(),
            "currency": "EUR",
            "records": listed,
            "_links": {"self": {"href": str(request.url)}},
        }
    )


def _iso(value: str | None) -> datetime:
    if not value:
        raise ValueError("missing")
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _unprocessable(detail: str) -> JSONResponse:
    return JSONResponse({"title": "Unprocessable Entity", "detail": detail}, status_code=422)
