"""What a Shopify dead letter keeps: the raw body, byte for byte, inside an envelope with
the headers that say what it is.

A webhook's body does not name its topic (``X-Shopify-Topic``: an order and an update of
it look alike) nor its delivery (``X-Shopify-Webhook-Id``), so a letter of the body alone
could not be read again. The envelope keeps both, the shop, and Shopify's signature
(``X-Shopify-Hmac-Sha256``: not a secret, and with the shop's secret it shows an auditor
that the kept body is the one Shopify signed). The body stays the bytes received: as JSON
text when it is UTF-8 (every webhook Shopify sends is; ``herald intake dlq show`` then
reads it), as base64 otherwise. Replay (intake/replay_mappings.py) maps it with the
topic and keys it with the webhook id, so a later redelivery of the same webhook finds the
replayed event in the inbox and adds nothing.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Self

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from intake.source import IntakeRefused


class ShopifyLetter(BaseModel):
    """One Shopify webhook as received, enough to map it again."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    topic: str
    shop: str
    webhook_id: str | None = None  # None: the webhook had none (and was refused for it)
    hmac_sha256: str | None = None
    body: str | None = None  # the raw body, when it is UTF-8 text
    body_base64: str | None = None  # otherwise

    @model_validator(mode="after")
    def _one_body(self) -> Self:
        if (self.body is None) == (self.body_base64 is None):
            raise ValueError("a Shopify letter holds its body once, as text or as base64")
        return self

    @classmethod
    def of(
        cls,
        raw: bytes,
        *,
        topic: str,
        shop: str,
        webhook_id: str | None,
        hmac_sha256: str | None,
    ) -> Self:
        try:
            text: str | None = raw.decode("utf-8")  # strict: decoding back gives the bytes
        except UnicodeDecodeError:
            text = None
        return cls(
            topic=topic,
            shop=shop,
            webhook_id=webhook_id or None,
            hmac_sha256=hmac_sha256 or None,
            body=text,
            body_base64=base64.b64encode(raw).decode() if text is None else None,
        )

    @property
    def raw(self) -> bytes:
        """The body exactly as Shopify sent it."""
        if self.body is not None:
            return self.body.encode("utf-8")
        return base64.b64decode(self.body_base64 or "", validate=True)

    def letter(self) -> bytes:
        """The dead letter's payload. Sorted keys: the same webhook again is the same bytes,
        so the same letter, counted (store/dead_letters.py)."""
        fields = self.model_dump(exclude_none=True)
        return json.dumps(fields, sort_keys=True, ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_letter(cls, payload: bytes) -> Self:
        """The envelope a dead letter holds; IntakeRefused: not one (a letter kept before
        envelopes, with no topic to map it by: discard it and ask Shopify to resend)."""
        try:
            letter = cls.model_validate_json(payload)
            _ = letter.raw  # a base64 body that does not decode is no envelope
        except (ValidationError, binascii.Error, ValueError) as exc:
            raise IntakeRefused(
                "not a Shopify letter (topic, shop, webhook id and body): it cannot be "
                "mapped again; discard it and have Shopify resend the webhook"
            ) from exc
        return letter
