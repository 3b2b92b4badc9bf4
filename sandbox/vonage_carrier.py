"""The Vonage sandbox's carrier and webhooks: signed delivery receipts per part, and inbound SMS.

Receipts come by POST (JSON) to the message's ``callback``, signed (``sig``, ``nonce``,
``timestamp``); intermediate ``accepted`` receipts may precede the final one, and parts'
receipts interleave in any order. A failed message has at least one failed part; the
others may well be delivered. Inbound SMS longer than one part arrive as one webhook per
part (``concat-ref``, ``concat-total``, ``concat-part``). A webhook answered with anything
but 2xx is retried (sandbox/webhooks.py).
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from vonage_http_client import Auth

from sandbox.vonage_message import VonagePart, split_text
from sandbox.webhooks import WebhookSender
from sandbox.world import ProviderWorld

ACCEPTED_RECEIPT_SECONDS = 0.05


class VonageInbound(BaseModel):
    """A text "from a phone" that the sandbox delivers to Herald's inbound webhook."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    text: str = ""
    webhook_url: str


class VonageCarrier:
    def __init__(
        self, *, api_key: str, signer: Auth, world: ProviderWorld, webhooks: WebhookSender
    ) -> None:
        self.api_key = api_key
        self.world = world
        self.webhooks = webhooks
        self._signer = signer

    async def play(self, parts: list[VonagePart], conditions: Any) -> None:
        """Take the message's parts to ``accepted`` then a final status, with a receipt each."""
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

    async def deliver_inbound(self, inbound: VonageInbound) -> dict[str, Any]:
        """Post the text to Herald's inbound webhook, one signed webhook per part."""
        pieces = split_text(inbound.text, "text") if inbound.text else [""]
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
