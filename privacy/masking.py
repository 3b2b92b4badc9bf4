"""Masking contact details in decoded payloads before a person sees them."""

from __future__ import annotations

import json
import re
from typing import Any

from temporalio.api.common.v1 import Payload

from domain.phone import mask_email, mask_phone

# E.164 numbers, as Herald stores them; and e-mail addresses.
PHONE = re.compile(r"\+[1-9]\d{6,14}\b")
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b")


def mask_text(text: str) -> str:
    text = PHONE.sub(lambda m: mask_phone(m.group(0)), text)
    return EMAIL.sub(lambda m: mask_email(m.group(0)), text)


def mask_payload(payload: Payload) -> Payload:
    """A JSON payload with every phone number and e-mail address masked; others unchanged."""
    if payload.metadata.get("encoding") != b"json/plain":
        return payload
    masked = Payload()
    masked.CopyFrom(payload)
    try:
        value = json.loads(payload.data)
        # ASCII escapes: a lone surrogate in the JSON survives the round trip as written.
        masked.data = json.dumps(_mask(value)).encode()
    except (ValueError, RecursionError):
        # Not JSON after all, or nested deeper than Python recurses: mask it as text, so
        # nobody ever sees an unmasked number because a payload was odd.
        masked.data = mask_text(payload.data.decode("utf-8", "replace")).encode()
    return masked


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [_mask(v) for v in value]
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    return value
