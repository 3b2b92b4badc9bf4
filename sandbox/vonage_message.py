"""The Vonage sandbox's message model: one stored part per SMS, and how a text splits.

A message over one SMS is split into parts, each with its own ``message-id``, price and
delivery receipt; each part is what the Reports API lists as a record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from fastapi.responses import JSONResponse

# Characters in one SMS, then per part of a longer one (the rest carries the UDH).
SMS_LIMITS = {"text": (160, 153), "unicode": (70, 67)}


def vonage_error(status: str, text: str) -> JSONResponse:
    """The SMS API's refusal: HTTP 200 all the same, the status and text in the part."""
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


def split_text(text: str, kind: str) -> list[str]:
    """The text's SMS parts for its ``type`` ("text" or "unicode")."""
    single, multi = SMS_LIMITS[kind]
    if len(text) <= single:
        return [text]
    return [text[i : i + multi] for i in range(0, len(text), multi)]
