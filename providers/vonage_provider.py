"""Vonage's SMS API behind the common interface, through the official ``vonage`` SDK.

What Vonage does that shapes this adapter:
- The send answers HTTP 200 even when it fails: each part carries a ``status`` ("0" is
  success) and the SDK raises ``SmsError`` naming the code. A long message is split by
  Vonage into parts, each with its own ``message-id`` and its own delivery receipt (DLR):
  the message is delivered when every part is, failed when one part fails.
- ``client-ref`` (Herald's message key) comes back in every part's DLR, so reports are
  matched to the message without a look-up table, and the callback URL stays under the
  API's 100 characters.
- Webhooks (DLRs, inbound) are signed with the account's signature secret: ``sig`` over
  the sorted parameters, with ``timestamp`` and ``nonce``; the SDK's ``Auth`` checks it.
- Exactly once: the SMS API takes no idempotency key. Before a re-send, the Reports API's
  synchronous records for the last minutes are searched for the ``client-ref`` (the SDK
  has no Reports package; its own HTTP client makes the call). Remaining window: records
  appear in the Reports API some seconds after the send, so a retry within that lag finds
  nothing; a DLR carrying the client-ref still lands on the message's record later.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import requests
from vonage import Auth, HttpClientOptions, Vonage
from vonage_http_client.errors import HttpRequestError
from vonage_sms import SmsMessage
from vonage_sms.errors import PartialFailureError, SmsError

from config.settings import Settings
from messaging.segments import is_gsm7
from providers.errors import ProviderError
from providers.plain_http import rebase
from providers.sms_provider import (
    InboundSms,
    OutboundSms,
    PartReport,
    ProviderName,
    SentSms,
    SignedRequest,
    requests_unreachable,
)
from providers.webhook_params import (
    InboundFields,
    decimal_or_none,
    error_code,
    parse_inbound_params,
)

REQUEST_TIMEOUT_SECONDS = 15
MAX_CLIENT_REF = 100  # the SMS API's limit (the SDK checks it too)
MAX_CALLBACK_URL = 100
# A signed webhook older than this is refused: a captured one cannot be replayed later.
SIGNATURE_MAX_AGE_SECONDS = 300
LOOKUP_WINDOW = timedelta(hours=1)

# The SMS API's per-message status codes (the send's response).
THROTTLED, INTERNAL_ERROR = "1", "5"
PERMANENT_STATUSES = frozenset(
    {"2", "3", "4", "6", "7", "8", "9", "11", "12", "14", "15", "22", "23", "29", "32", "33"}
)
# DLR statuses in the common vocabulary; "accepted"/"buffered" change nothing final.
DLR_STATUS = {
    "accepted": "sent",
    "buffered": "sent",
    "delivered": "delivered",
    "expired": "undelivered",
    "failed": "failed",
    "rejected": "failed",
    "unknown": "sent",
}
INBOUND_FIELDS = InboundFields(
    message_id="messageId", from_="msisdn", to="to", text="text", parts="concat-total"
)
_ERROR_CODE = re.compile(r"error code (\d+)")


def vonage_client_ref(reference: str) -> str:
    """Herald's key as Vonage carries it: unchanged when short enough, else a digest."""
    if len(reference) <= MAX_CLIENT_REF:
        return reference
    return "sha256:" + hashlib.sha256(reference.encode()).hexdigest()


class VonageProvider:
    name: ProviderName = "vonage"

    def __init__(self, settings: Settings) -> None:
        key, secret, signature_secret = settings.effective_vonage_credentials
        method = settings.vonage_signature_method
        rest, api = settings.effective_vonage_rest_base_url, settings.effective_vonage_api_base_url
        self._key, self._sender = key, settings.vonage_sender
        # API requests with Basic auth (key and secret). The SDK signs requests instead when
        # given a signature secret, but signs the parameters it then leaves out of the form
        # (those set to None), so that secret serves only to check webhooks here.
        self._client = Vonage(
            Auth(api_key=key, api_secret=secret),
            HttpClientOptions(
                rest_host=_host(rest), api_host=_host(api), timeout=REQUEST_TIMEOUT_SECONDS
            ),
        )
        # The SDK always speaks https to its hosts: a sandbox over http is reached through a
        # rebasing adapter on its session (nothing is mounted for Vonage's own hosts).
        session: requests.Session = self._client.http_client._session  # no public accessor
        rebase(session, f"https://{_host(rest)}", rest)
        rebase(session, f"https://{_host(api)}", api)
        # An empty secret would make every signature computable by anyone: refuse all then.
        self._verifier = (
            Auth(api_key=key, signature_secret=signature_secret, signature_method=method)
            if signature_secret
            else None
        )
        self._public_base = settings.effective_public_base_url.rstrip("/")

    async def send(self, sms: OutboundSms) -> SentSms:
        callback = sms.status_callback_url or f"{self._public_base}/vonage/delivery"
        if len(callback) > MAX_CALLBACK_URL:
            raise ValueError(f"Vonage takes callback URLs up to {MAX_CALLBACK_URL} characters")
        message = SmsMessage(
            to=sms.to.lstrip("+"),
            from_=sms.sender or self._sender,
            text=sms.body,
            client_ref=vonage_client_ref(sms.reference),
            type="text" if is_gsm7(sms.body) else "unicode",
            status_report_req=True,
            callback=callback,
        )
        try:
            response = await asyncio.to_thread(self._client.sms.send, message)
        except PartialFailureError as exc:
            # Some parts were taken and will be delivered: a re-send would repeat them.
            raise ProviderError(
                f"Vonage took only some parts: {exc}", code="partial", retryable=False
            ) from exc
        except SmsError as exc:
            raise _classify_status(str(exc)) from exc
        except HttpRequestError as exc:
            raise _classify_http(exc) from exc
        except requests.RequestException as exc:
            raise requests_unreachable("Vonage", exc) from exc
        parts = tuple(m.message_id for m in response.messages if m.message_id)
        price = sum(
            (decimal_or_none(m.message_price) or Decimal(0) for m in response.messages), Decimal(0)
        )
        return SentSms(
            provider="vonage",
            provider_message_id=parts[0],
            part_ids=parts,
            parts=len(parts),
            price=price,
            status="queued",
            to=sms.to,
            body=sms.body,
            created_at=datetime.now(UTC),
        )

    async def find_sent(
        self, sms: OutboundSms, since: datetime, known_ids: frozenset[str] = frozenset()
    ) -> SentSms | None:
        """Search the Reports API's records since ``since`` for this client-ref."""
        ref = vonage_client_ref(sms.reference)
        since = max(since, datetime.now(UTC) - LOOKUP_WINDOW)
        params = {
            "account_id": self._key,
            "product": "SMS",
            "direction": "outbound",
            "date_start": since.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "date_end": (datetime.now(UTC) + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        records = [r for r in await self._report_records(params) if r.get("client_ref") == ref]
        if not records:
            return None
        parts = tuple(str(r["message_id"]) for r in records)
        return SentSms(
            provider="vonage",
            provider_message_id=parts[0],
            part_ids=parts,
            parts=len(parts),
            status="queued",
            to=sms.to,
            body=sms.body,
        )

    async def fetch_status(self, provider_message_id: str) -> str:
        params = {"account_id": self._key, "product": "SMS", "direction": "outbound"}
        params["id"] = provider_message_id
        records = await self._report_records(params)
        if not records:
            return "queued"
        return DLR_STATUS.get(str(records[0].get("status", "")).lower(), "sent")

    async def _report_records(self, params: dict[str, str]) -> list[dict[str, Any]]:
        """The Reports API's records for ``params`` (through the SDK's HTTP client: the
        SDK has no Reports package)."""
        http = self._client.http_client
        try:
            answer = await asyncio.to_thread(
                http.get, http.api_host, "/v2/reports/records", params, "basic"
            )
        except HttpRequestError as exc:
            raise _classify_http(exc) from exc
        except requests.RequestException as exc:
            raise requests_unreachable("Vonage", exc) from exc
        return (answer or {}).get("records", [])

    def parse_delivery_report(self, request: SignedRequest) -> PartReport:
        params = request.params
        message_id = params.get("messageId") or params.get("message-id")
        status = str(params.get("status", "")).lower()
        if not message_id or status not in DLR_STATUS:
            raise ValueError("a Vonage DLR needs messageId and a known status")
        return PartReport(
            provider="vonage",
            message_id=message_id,
            status=DLR_STATUS[status],
            error_code=error_code(params.get("err-code"), "0"),
            reference=params.get("client-ref") or None,
            price=decimal_or_none(params.get("price")),
            occurred_at=_timestamp(params.get("message-timestamp")),
        )

    def parse_inbound(self, request: SignedRequest) -> InboundSms:
        params = request.params
        inbound = parse_inbound_params("vonage", params, INBOUND_FIELDS, "a Vonage inbound SMS")
        # Only Vonage says which part of a concatenated SMS this webhook carries.
        return replace(
            inbound,
            part=int(params.get("concat-part") or 1),
            concat_ref=params.get("concat-ref") or None,
        )

    def signature_is_valid(self, request: SignedRequest) -> bool:
        params = {k: str(v) for k, v in request.params.items()}
        if self._verifier is None or not params.get("sig") or not params.get("timestamp"):
            return False
        try:
            age = abs(time.time() - int(params["timestamp"]))
        except ValueError:
            return False
        return age <= SIGNATURE_MAX_AGE_SECONDS and self._verifier.check_signature(params)

    def reports_delivery(self, country: str | None) -> bool:
        return True

    async def close(self) -> None:
        self._client.http_client._session.close()


def _host(base_url: str) -> str:
    return base_url.split("://", 1)[-1].rstrip("/")


def _timestamp(value: str | None) -> datetime | None:
    try:
        return datetime.strptime(value or "", "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _classify_status(text: str) -> ProviderError:
    match = _ERROR_CODE.search(text)
    code = match.group(1) if match else None
    if code == THROTTLED:
        return ProviderError(
            f"Vonage throttled: {text}",
            code=code,
            retryable=True,
            retry_after_seconds=1.0,
            http_status=429,
            outage=False,
        )
    if code == INTERNAL_ERROR:
        return ProviderError(
            f"Vonage internal error: {text}", code=code, retryable=True, outage=True
        )
    retryable = code is not None and code not in PERMANENT_STATUSES
    return ProviderError(f"Vonage refused: {text}", code=code, retryable=retryable)


def _classify_http(exc: HttpRequestError) -> ProviderError:
    status = exc.response.status_code
    retryable = status >= 500 or status in (408, 429)
    return ProviderError(
        f"Vonage {status}: {exc.message[:200]}",
        code=str(status),
        retryable=retryable,
        http_status=status,
        retry_after_seconds=1.0 if status == 429 else None,
    )
