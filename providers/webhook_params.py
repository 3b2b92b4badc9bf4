"""Reading a provider's form-encoded webhook (inbound SMS, delivery report) into the common types.

Vonage and Plivo post the same facts under their own parameter names: an inbound SMS's
id, sender, recipient (digits, with or without the ``+``), text and part count; a report's
price and an error code that has its own "no error" value. What they share is read here
once; each adapter keeps the names and what only it sends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from providers.sms_provider import InboundSms, ProviderName


@dataclass(frozen=True)
class InboundFields:
    """The parameter names of a provider's inbound SMS webhook."""

    message_id: str
    from_: str
    to: str
    text: str
    parts: str


def parse_inbound_params(
    provider: ProviderName, params: Mapping[str, str], fields: InboundFields, what: str
) -> InboundSms:
    """The inbound SMS in ``params``; ValueError (``what`` names it) without id or sender."""
    if not params.get(fields.message_id) or not params.get(fields.from_):
        raise ValueError(f"{what} needs {fields.message_id} and {fields.from_}")
    return InboundSms(
        provider=provider,
        provider_message_id=params[fields.message_id],
        from_=e164(params[fields.from_]),
        to=e164(params.get(fields.to, "")),
        body=params.get(fields.text, ""),
        parts=int(params.get(fields.parts) or 1),
    )


def e164(number: str) -> str:
    """A number the provider gives with or without its ``+``, with it."""
    return "+" + number.lstrip("+")


def error_code(value: str | None, no_error: str) -> str | None:
    """A report's error code, None when empty or the provider's "no error" code."""
    return value if value not in (None, "", no_error) else None


def decimal_or_none(value: object) -> Decimal | None:
    """A price as the provider writes it; None when absent or not a number."""
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None
