"""Twilio behind the common SMS provider interface: a thin adapter over providers/sms.py.

Sending and the look-up before a re-send stay in :class:`providers.sms.TwilioSms` (the
outbox's look-up lives there); this adds what the interface asks beyond it: reports,
replies and the signature, read with the SDK's ``RequestValidator``.

Twilio reports a long message as one message (``NumSegments``), never per part.
Exactly once: Twilio takes no idempotency key, so a re-send first lists the recipient's
recent messages and adopts one carrying the same body. The window that remains: a message
Twilio accepted but does not list yet when the retry asks.
"""

from __future__ import annotations

from datetime import datetime

from twilio.request_validator import RequestValidator

from config.settings import Settings
from providers.sms import ProviderMessage, TwilioSms
from providers.sms_provider import (
    InboundSms,
    OutboundSms,
    PartReport,
    ProviderName,
    SentSms,
    SignedRequest,
)

# Twilio's MessageStatus in the common vocabulary.
COMMON_STATUS = {
    "accepted": "queued",
    "scheduled": "queued",
    "queued": "queued",
    "sending": "queued",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "undelivered",
    "failed": "failed",
    "canceled": "failed",
}


class TwilioProvider:
    name: ProviderName = "twilio"

    def __init__(self, settings: Settings, sms: TwilioSms | None = None) -> None:
        self._sms = sms or TwilioSms(settings)
        self._owns_sms = sms is None
        self._validator = RequestValidator(settings.effective_twilio_auth_token)

    async def send(self, sms: OutboundSms) -> SentSms:
        message = await self._sms.send(sms.to, sms.body, sms.status_callback_url, sender=sms.sender)
        return _sent(message)

    async def find_sent(
        self, sms: OutboundSms, since: datetime, known_ids: frozenset[str] = frozenset()
    ) -> SentSms | None:
        recent = await self._sms.recent_messages(sms.to, since=since, sender=sms.sender)
        match = next((m for m in recent if m.carries(sms.body) and m.sid not in known_ids), None)
        return _sent(match) if match is not None else None

    async def fetch_status(self, provider_message_id: str) -> str:
        status = (await self._sms.message(provider_message_id)).status
        return COMMON_STATUS.get(status.lower(), "sent")

    def parse_delivery_report(self, request: SignedRequest) -> PartReport:
        params = request.params
        sid = params.get("MessageSid") or params.get("SmsSid")
        status = params.get("MessageStatus") or params.get("SmsStatus")
        if not sid or not status:
            raise ValueError("MessageSid and MessageStatus are required")
        return PartReport(
            provider="twilio",
            message_id=sid,
            status=COMMON_STATUS.get(status.lower(), "sent"),
            error_code=params.get("ErrorCode") or None,
        )

    def parse_inbound(self, request: SignedRequest) -> InboundSms:
        params = request.params
        sid, from_ = params.get("MessageSid") or params.get("SmsSid"), params.get("From")
        if not sid or not from_:
            raise ValueError("MessageSid and From are required")
        return InboundSms(
            provider="twilio",
            provider_message_id=sid,
            from_=from_,
            to=params.get("To", ""),
            body=params.get("Body", ""),
            parts=int(params.get("NumSegments") or 1),
        )

    def signature_is_valid(self, request: SignedRequest) -> bool:
        signature = request.headers.get("X-Twilio-Signature") or request.headers.get(
            "x-twilio-signature", ""
        )
        return bool(signature) and self._validator.validate(
            request.url, dict(request.params), signature
        )

    def reports_delivery(self, country: str | None) -> bool:
        return True

    async def close(self) -> None:
        if self._owns_sms:
            await self._sms.close()


def _sent(message: ProviderMessage) -> SentSms:
    return SentSms(
        provider="twilio",
        provider_message_id=message.sid,
        part_ids=(message.sid,),
        status=message.status,
        to=message.to,
        body=message.body,
        created_at=message.created_at,
    )
