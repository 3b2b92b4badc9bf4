"""SMS through the official Twilio SDK, against real Twilio or Herald's local sandbox.

The only difference between the two is the API base URL and the credentials, both from
settings: no code changes when real credentials are configured. Everything here holds
against real Twilio's semantics, which the sandbox follows (sandbox/twilio_api.py):
- a message has no ``date_sent`` until the carrier takes it, and the ``DateSent`` filters
  match that date only, so the look-up for an earlier call's message never filters on it:
  it lists the recipient's messages, newest first, back to the time of the claim;
- through a Messaging Service the sender is unknown until Twilio picks one, so the look-up
  filters by sender only when the sender is a number;
- a trial account prefixes every body, so the look-up accepts that prefix;
- a body Twilio would refuse (over 1,600 characters, to the sender itself) is refused here
  without a call.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

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

REQUEST_TIMEOUT_SECONDS = 15.0  # a call's default; the send activity gives its own
MAX_BODY_CHARACTERS = 1600  # Twilio's limit (21617)
TRIAL_PREFIX = "Sent from your Twilio trial account - "
LOOKUP_PAGE_SIZE = 50
LOOKUP_LIMIT = 500  # the recipient's newest messages; one person's are far fewer


@dataclass(frozen=True)
class ProviderMessage:
    sid: str
    to: str
    body: str
    status: str
    created_at: datetime | None
    error_code: str | None = None

    def carries(self, body: str) -> bool:
        """This message is ``body`` as sent (a trial account's prefix allowed)."""
        return self.body in (body, TRIAL_PREFIX + body)


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

    async def send(
        self,
        to: str,
        body: str,
        status_callback: str | None,
        *,
        answer_within: float = REQUEST_TIMEOUT_SECONDS,
        sender: str | None = None,
    ) -> ProviderMessage:
        """Hand one SMS to the provider; raises :class:`ProviderError`.

        ``answer_within``: how long to wait for the provider's answer. A slow provider may still
        accept the message after it; the caller must then look before sending again.
        ``sender``: routing's sender for the destination (a number or a messaging service);
        None: the configured one.
        """
        if refusal := self.refusal(to, body, sender):
            raise refusal
        sender_arguments = _sender_arguments(sender or self._sender)
        message = await self._call(
            self._client.messages.create_async(
                to=to,
                body=body,
                status_callback=status_callback or values.unset,
                **sender_arguments,
            ),
            answer_within,
        )
        return _provider_message(message)

    def refusal(self, to: str, body: str, sender: str | None = None) -> ProviderError | None:
        """What Twilio would refuse on sight, refused without a call (and never retried)."""
        if len(body) > MAX_BODY_CHARACTERS:
            return ProviderError(
                f"body of {len(body)} characters: Twilio takes at most {MAX_BODY_CHARACTERS}",
                code="21617",
                retryable=False,
            )
        if to == (sender or self._sender):
            return ProviderError("'To' is the sender itself", code="21266", retryable=False)
        return None

    async def message(self, sid: str) -> ProviderMessage:
        """The provider's current view of one message (its status, for a lost report)."""
        return _provider_message(
            await self._call(self._client.messages(sid).fetch_async(), REQUEST_TIMEOUT_SECONDS)
        )

    async def recent_messages(
        self, to: str, since: datetime, sender: str | None = None
    ) -> list[ProviderMessage]:
        """Messages to ``to`` created since ``since``, newest first, queued ones included;
        from ``sender`` (the one the send used; None: the configured one).

        No ``DateSent`` filter: Twilio sets ``date_sent`` only once the carrier takes the
        message (and matches the filter on the date alone), so a queued or accepted message
        would be missed, and sent again.
        """
        sender_filter = _sender_filter(sender or self._sender)
        found: list[ProviderMessage] = []

        async def collect() -> None:
            page = await self._client.messages.page_async(
                to=to, page_size=LOOKUP_PAGE_SIZE, **sender_filter
            )
            while page is not None and len(found) < LOOKUP_LIMIT:
                for record in page:
                    message = _provider_message(record)
                    if message.created_at is not None and message.created_at < since:
                        return  # newest first: everything further is older
                    found.append(message)
                page = await page.next_page_async()

        await self._call(collect(), REQUEST_TIMEOUT_SECONDS * 2)
        return found

    async def close(self) -> None:
        await self._http.close()

    @staticmethod
    async def _call(request, answer_within: float):  # type: ignore[no-untyped-def]
        try:
            async with asyncio.timeout(answer_within):
                return await request
        except TwilioRestException as exc:
            raise _classify(exc) from exc
        except aiohttp.ClientConnectorError as exc:
            # Nothing reached the provider: a retry may call again without looking first.
            raise ProviderError(
                f"provider unreachable: {exc!r}", code=None, retryable=True
            ) from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            # The request may or may not have reached the provider: retry, and let the
            # retry ask the provider before sending again.
            raise ProviderError(
                f"no answer from the provider: {exc!r}",
                code=None,
                retryable=True,
                may_have_reached=True,
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
        error_code=str(message.error_code) if message.error_code else None,
    )


# Twilio's API errors that will not succeed on a retry of the same request.
PERMANENT_CODES = frozenset(
    {
        "21211",  # invalid 'To' number
        "21212",  # invalid 'From' number
        "21266",  # 'To' and 'From' are the same
        "21408",  # region not enabled
        "21606",  # 'From' is not one of the account's numbers
        "21609",  # status-callback URL refused
        "21610",  # recipient replied STOP
        "21612",  # not reachable from this sender
        "21614",  # not a mobile number
        "21602",  # body required
        "21617",  # body too long
        "21701",  # no such Messaging Service
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
        # An answer, even a 5xx, means the API did not create the message: a created one
        # is answered 201 with its resource. Only silence leaves the question open.
        may_have_reached=False,
    )
