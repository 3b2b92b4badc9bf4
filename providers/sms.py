"""SMS through the official Twilio SDK, against real Twilio or Herald's local sandbox.

The only difference between the two is the API base URL and the credentials, both from
settings: no code changes when real credentials are configured.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiohttp
from twilio.base import values
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from config.settings import Settings
from providers.errors import ProviderError

# The SDK logs every request (headers, and with some versions parameters such as the
# recipient's number) at INFO: keep it to warnings.
logging.getLogger("twilio").setLevel(logging.WARNING)

REQUEST_TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class ProviderMessage:
    sid: str
    to: str
    body: str
    status: str
    created_at: datetime | None


class TwilioSms:
    def __init__(self, settings: Settings) -> None:
        self._http = AsyncTwilioHttpClient()
        self._client = Client(
            settings.effective_twilio_account_sid,
            settings.effective_twilio_auth_token,
            http_client=self._http,
        )
        self._client.api.base_url = settings.effective_twilio_api_base_url.rstrip("/")
        self._sender = settings.sms_sender

    async def send(self, to: str, body: str, status_callback: str | None) -> ProviderMessage:
        """Hand one SMS to the provider; raises :class:`ProviderError`."""
        sender = _sender_arguments(self._sender)
        message = await self._call(
            self._client.messages.create_async(
                to=to, body=body, status_callback=status_callback or values.unset, **sender
            )
        )
        return _provider_message(message)

    async def recent_messages(self, to: str, since: datetime) -> list[ProviderMessage]:
        """Messages the provider holds for ``to`` created since ``since`` (newest first).

        Twilio filters on the send date, which a still-queued message lacks, so the list is
        filtered by recipient (and sender) and the date is compared here.
        """
        sender = _sender_filter(self._sender)
        messages = await self._call(
            self._client.messages.list_async(
                to=to, date_sent_after=since - timedelta(days=1), limit=50, **sender
            )
        )
        found = [_provider_message(m) for m in messages]
        return [m for m in found if m.created_at is None or m.created_at >= since]

    async def close(self) -> None:
        await self._http.close()

    @staticmethod
    async def _call(request):  # type: ignore[no-untyped-def]
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT_SECONDS):
                return await request
        except TwilioRestException as exc:
            raise _classify(exc) from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            # The request may or may not have reached the provider: retry, and let the
            # outbox ask the provider before sending again.
            raise ProviderError(
                f"provider unreachable: {exc!r}", code=None, retryable=True
            ) from exc


def _sender_arguments(sender: str) -> dict[str, str]:
    return {"messaging_service_sid": sender} if sender.startswith("MG") else {"from_": sender}


def _sender_filter(sender: str) -> dict[str, str]:
    return {} if sender.startswith("MG") else {"from_": sender}


def _provider_message(message) -> ProviderMessage:  # type: ignore[no-untyped-def]
    return ProviderMessage(
        sid=message.sid,
        to=message.to,
        body=message.body or "",
        status=str(message.status),
        created_at=message.date_created,
    )


# Twilio's API errors that will not succeed on a retry of the same request.
PERMANENT_CODES = frozenset(
    {
        "21211",  # invalid 'To' number
        "21408",  # region not enabled
        "21610",  # recipient replied STOP
        "21612",  # not reachable from this sender
        "21614",  # not a mobile number
        "21602",  # body required
        "21617",  # body too long
        "30007",  # carrier filtered
        "20003",  # authentication
    }
)


def _classify(exc: TwilioRestException) -> ProviderError:
    code = str(exc.code) if exc.code is not None else None
    retryable = exc.status == 429 or exc.status >= 500 or exc.status == 408
    if code in PERMANENT_CODES:
        retryable = False
    return ProviderError(
        f"Twilio {exc.status} {code}: {exc.msg}",
        code=code,
        retryable=retryable,
        retry_after_seconds=5.0 if exc.status == 429 else None,
        http_status=exc.status,
    )
