"""The HTTP service's own description (``/openapi.json``, ``/docs``), behind a credential.

The description names every customer-data route and its fields, so it follows the same
rule as those routes (api/auth.py). The provider's status callback is a plain route (it is
the hot path and skips FastAPI's parameter handling), so its description is written here.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse

from api.auth import require_credential
from config.settings import Settings

# Twilio's status-callback form (its webhook documentation): the fields Herald reads.
STATUS_CALLBACK_FORM: dict[str, Any] = {
    "type": "object",
    "required": ["MessageSid", "MessageStatus"],
    "properties": {
        "MessageSid": {"type": "string", "description": "the provider's message id"},
        "SmsSid": {"type": "string"},
        "MessageStatus": {
            "type": "string",
            "description": "accepted, scheduled, queued, sending, sent, delivered, "
            "undelivered, failed, read or canceled",
        },
        "SmsStatus": {"type": "string"},
        "ErrorCode": {"type": "string"},
        "AccountSid": {"type": "string"},
        "From": {"type": "string"},
        "To": {"type": "string"},
        "MessagingServiceSid": {"type": "string"},
        "ApiVersion": {"type": "string"},
    },
}

STATUS_CALLBACK_PATH: dict[str, Any] = {
    "post": {
        "summary": "The SMS provider's delivery report (Twilio status callback)",
        "description": "Signed with X-Twilio-Signature over Herald's public URL and the form. "
        "A repeated or out-of-order report is counted, not stored again, and changes nothing.",
        "operationId": "twilio_status_callback",
        "parameters": [
            {
                "name": "message_key",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "description": "Herald's message key, set in the callback URL it gave",
            },
            {
                "name": "X-Twilio-Signature",
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
            },
        ],
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": STATUS_CALLBACK_FORM}},
        },
        "responses": {
            "204": {"description": "recorded (or not ours: ignored)"},
            "400": {"description": "MessageSid or MessageStatus missing, or the form malformed"},
            "403": {"description": "the signature does not match"},
        },
    }
}


def describe(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document, with the status callback's plain route added."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
        schema.setdefault("paths", {})["/twilio/status"] = STATUS_CALLBACK_PATH
        app.openapi_schema = schema
    return app.openapi_schema


def create_docs_router(app: FastAPI, settings: Settings) -> APIRouter:
    router = APIRouter(
        dependencies=[Depends(require_credential(settings))], include_in_schema=False
    )

    @router.get("/openapi.json")
    async def openapi() -> JSONResponse:
        return JSONResponse(describe(app))

    @router.get("/docs")
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{app.title} API")

    return router
