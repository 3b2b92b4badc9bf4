"""Twilio behind the common SMS provider interface: a thin adapter over providers/sms.py.

Sending and the look-up before a re-send stay in :class:`providers.sms.TwilioSms` (the
outbox's look-up lives there); this adds what the interface asks beyond it: reports,
replies and the signature, read with the SDK's ``RequestValidator``.

Twilio reports a long message as one message (``NumSegments``), never per part.
Exactly once: Twilio takes no idempotency key, so a re-send first lists the recipient's
recent messages and adopts one with the same body. The window that remains: a message
Twilio accepted but does not list yet when the retry asks.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from config.settings import Settings
from providers.errors import ProviderError
from providers.sms import REQUEST_TIMEOUT_SECONDS, ProviderMessage, TwilioSms
from providers.sms_provider import (
    InboundSms,
    OutboundSms,
    PartReport,
    ProviderName,
    SentSms,
    SignedRequest,
    unreachable,
)


class TwilioProvider:
    name: ProviderName = "twilio"

    def __init__(self, settings: Settings, sms: TwilioSms | None = None) -> None:
        self._settings = settings
        self._sms = sms or TwilioSms(settings)
        self._owns_sms = sms is None
        self._validator = RequestValidator(settings.effective_twilio_auth_token)
        self._fetch_http: AsyncTwilioHttpClient | None = None
        self._fetch_client: Client | None = None

    async def send(self, sms: OutboundSms) -> SentSms:
        message = await self._sms.send(sms.to, sms.body, sms.status_callback_url)
        return _sent(message)

    async def find_sent(
        self, sms: OutboundSms, since: datetime, known_ids: frozenset[str] = frozenset()
    ) -> SentSms | None:
        recent = await self._sms.recent_messages(sms.to, since=since)
        match = next((m for m in recent if m.body == sms.body and m.sid not in known_ids), None)
        return _sent(match) if match is not None else None

    async def fetch_status(self, provider_message_id: str) -> str:
        client = self._client_for_fetch()
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT_SECONDS):
                message = await client.messages(provider_message_id).fetch_async()
        except TwilioRestException as exc:
            raise ProviderError(
                f"Twilio {exc.status} {exc.code}: {exc.msg}",
                code=str(exc.code) if exc.code is not None else None,
                retryable=exc.status >= 500 or exc.status == 429,
                http_status=exc.status,
            ) from exc
        except (TimeoutError, OSError) as exc:
            raise unreachable("Twilio", exc) from exc
        return str(message.status)

    def parse_delivery_report(self, request: SignedRequest) -> PartReport:
        params = request.params
        sid = params.get("MessageSid") or params.get("SmsSid")
        status = params.get("MessageStatus") or params.get("SmsStatus")
        if not sid or not status:
            raise ValueError("MessageSid and MessageStatus are required")
        return PartReport(
            provider="twilio",
            message_id=sid,
            status=status.lower(),
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
        if self._fetch_http is not None:
            await self._fetch_http.close()

    def _client_for_fetch(self) -> Client:
        if self._fetch_client is None:
            self._fetch_http = AsyncTwilioHttpClient()
            self._fetch_client = Client(
                self._settings.effective_twilio_account_sid,
                self._settings.effective_twilio_auth_token,
                http_client=self._fetch_http,
            )
            self._fetch_client.api.base_url = self._settings.effective_twilio_api_base_url.rstrip(
                "/"
            )
        return self._fetch_client


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
