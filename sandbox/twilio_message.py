"""The Twilio sandbox's Message: what it stores for each accepted message, and the JSON
shapes Twilio's API gives it (the Message resource, an error) next to the sandbox's own
summary for tests and the benchmark."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from fastapi.responses import JSONResponse

from sandbox.rules import FinalOutcome
from sandbox.webhooks import WebhookAttempt

API_VERSION = "2010-04-01"

# Carrier error texts Twilio shows in a message's error_message for the usual codes.
ERROR_MESSAGES: dict[int, str] = {
    30003: "Unreachable destination handset",
    30004: "Message blocked",
    30005: "Unknown destination handset",
    30006: "Landline or unreachable carrier",
    30007: "Message filtered",
    30008: "Unknown error",
}


def twilio_error(status: int, code: int | None, message: str) -> JSONResponse:
    """An error in Twilio's JSON shape, which the SDK turns into ``TwilioRestException``."""
    more_info = f"https://www.twilio.com/docs/errors/{code}" if code is not None else None
    content = {"code": code, "message": message, "more_info": more_info, "status": status}
    return JSONResponse(content, status_code=status)


def rfc2822(moment: datetime) -> str:
    return format_datetime(moment)  # "Thu, 14 Mar 2024 10:00:00 +0000" for a UTC datetime


def new_sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


@dataclass(slots=True)
class SandboxMessage:
    sid: str
    account_sid: str
    to: str
    from_: str | None  # None until a Messaging Service picks its sender
    body: str
    messaging_service_sid: str | None
    status_callback: str | None
    num_segments: int | None  # None until a Messaging Service's message is queued
    accepted_at: float  # epoch seconds when the create request was accepted
    created: datetime  # UTC, whole seconds, like Twilio's timestamps
    final: FinalOutcome
    status: str = "queued"
    updated: datetime | None = None
    sent: datetime | None = None  # date_sent: when the carrier took it; None before
    error_code: int | None = None
    callbacks: list[WebhookAttempt] = field(default_factory=list)

    def move_to(self, status: str, error_code: int | None = None) -> None:
        self.status = status
        self.error_code = error_code
        self.updated = datetime.now(UTC).replace(microsecond=0)

    @property
    def error_message(self) -> str | None:
        if self.error_code is None:
            return None
        return ERROR_MESSAGES.get(self.error_code, "Unknown error")

    def resource(self) -> dict[str, Any]:
        """The Message resource exactly as Twilio's API returns it."""
        base = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{self.sid}"
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": self.body,
            "date_created": rfc2822(self.created),
            "date_sent": rfc2822(self.sent) if self.sent else None,
            "date_updated": rfc2822(self.updated or self.created),
            "direction": "outbound-api",
            "error_code": self.error_code,
            "error_message": self.error_message,
            "from": self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "num_media": "0",
            "num_segments": str(self.num_segments) if self.num_segments is not None else "0",
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {
                "media": f"{base}/Media.json",
                "feedback": f"{base}/Feedback.json",
            },
            "to": self.to,
            "uri": f"{base}.json",
        }

    def summary(self) -> dict[str, Any]:
        """The sandbox's own view, for tests and the benchmark."""
        return {
            "sid": self.sid,
            "to": self.to,
            "from": self.from_,
            "body": self.body,
            "messaging_service_sid": self.messaging_service_sid,
            "status": self.status,
            "error_code": self.error_code,
            "status_callback": self.status_callback,
            "accepted_at": self.accepted_at,
            "callbacks": [attempt.as_json() for attempt in self.callbacks],
        }
