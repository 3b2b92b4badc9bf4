"""Every malformed request gets a 4xx that says what is wrong, never a 500.

FastAPI's own 422 answer echoes the offending input as UTF-8; an input holding a lone
surrogate (``"\\ud800"``) cannot be encoded, and the error answer itself failed with a 500.
Here the answer escapes non-ASCII instead, and a body that is not even JSON gets a 400.
"""

from __future__ import annotations

import json

from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError


def json_answer(content: object, status_code: int) -> Response:
    """JSON with non-ASCII escaped: whatever a caller sent can be echoed back."""
    body = json.dumps(jsonable_encoder(content), ensure_ascii=True, default=str)
    return Response(body, status_code=status_code, media_type="application/json")


async def _invalid_request(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(error.get("type") == "json_invalid" for error in errors):
        return json_answer({"detail": "the body is not valid JSON", "errors": errors}, 400)
    return json_answer({"detail": errors}, 422)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _invalid_request)
