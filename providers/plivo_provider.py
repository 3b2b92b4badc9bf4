"""Plivo's Message API behind the common interface, through the official ``plivo`` SDK.

What Plivo does that shapes this adapter:
- The send answers 202 with ``message_uuid`` (a list: one per destination). A long message
  is one message of several ``Units``; its status callbacks name the message, and carry
  ``ParentMessageUUID``/``PartInfo``, which Plivo documents as reserved (equal to the
  message's own id today). Reports are still grouped by ``ParentMessageUUID`` so a split
  report, should Plivo start sending one, is read per part.
- Callbacks come on every status change, each with a ``Sequence``; they may arrive out of
  order, so an older sequence never overrides a newer one (the caller compares them).
- Plivo sends no delivery report for the US and Canada: the message stays ``sent``, which
  Plivo itself says to read as delivered (:meth:`reports_delivery`).
- Webhooks are signed: ``X-Plivo-Signature-V3`` over the URL, the sorted POST parameters
  and ``X-Plivo-Signature-V3-Nonce``, checked with the SDK's ``validate_v3_signature``.
- Exactly once: the Message API takes no idempotency key and its records hold no text.
  Before a re-send, the message listing (outbound, to this number, since the claim) is
  searched for a message Herald does not already hold. The listing allows 20 requests a
  minute; beyond that (429, which the SDK cannot even read) the look-up cannot tell and
  the send is not repeated. Remaining
  window: a second Herald message to the same number, claimed within the clock slack and
  not yet recorded, could be taken for this one.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

import plivo
import requests
from plivo import exceptions as plivo_errors
from plivo.utils.signature_v3 import validate_v3_signature

from config.settings import Settings
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

PLIVO_ORIGIN = "https://api.plivo.com"
REQUEST_TIMEOUT_SECONDS = 15
LIST_PAGE = 20  # the listing's largest page
LIST_PAGES = 5
NO_DELIVERY_REPORTS = frozenset({"US", "CA"})
STATUS = {
    "queued": "queued",
    "sent": "sent",
    "delivered": "delivered",
    "undelivered": "undelivered",
    "failed": "failed",
    "rejected": "failed",
}
INBOUND_FIELDS = InboundFields(
    message_id="MessageUUID", from_="From", to="To", text="Text", parts="Units"
)
# Plivo error codes (https://www.plivo.com/docs/messaging/troubleshooting/error-codes/)
# are delivery outcomes; an API refusal is an HTTP status.
_STATUS_CODE = re.compile(r"status code (\d{3})")


class PlivoProvider:
    name: ProviderName = "plivo"

    def __init__(self, settings: Settings) -> None:
        auth_id, auth_token = settings.effective_plivo_credentials
        self._auth_token = auth_token
        self._sender = settings.plivo_sender
        self._client = plivo.RestClient(auth_id, auth_token, timeout=REQUEST_TIMEOUT_SECONDS)
        target = settings.effective_plivo_api_base_url
        # The SDK always calls api.plivo.com: another base (the sandbox) is reached through
        # a rebasing adapter on its (public) sessions; nothing is mounted for Plivo's own.
        rebase(self._client.session, PLIVO_ORIGIN, target)
        rebase(self._client.multipart_session, PLIVO_ORIGIN, target)
        self._public_base = settings.effective_public_base_url.rstrip("/")

    async def send(self, sms: OutboundSms) -> SentSms:
        callback = sms.status_callback_url or f"{self._public_base}/plivo/status"
        try:
            response = await asyncio.to_thread(
                self._client.messages.create,
                src=sms.sender or self._sender,
                dst=sms.to,
                text=sms.body,
                url=callback,
                method="POST",
            )
        except Exception as exc:  # the SDK's errors, and requests' below them
            raise _classify(exc) from exc
        message_id = str(response.message_uuid[0])
        return SentSms(
            provider="plivo",
            provider_message_id=message_id,
            part_ids=(message_id,),
            status="queued",
            to=sms.to,
            body=sms.body,
            created_at=datetime.now(UTC),
        )

    async def find_sent(
        self, sms: OutboundSms, since: datetime, known_ids: frozenset[str] = frozenset()
    ) -> SentSms | None:
        after = since.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        sender = sms.sender or self._sender  # as send() called it: routing's, or ours
        for page in range(LIST_PAGES):
            try:
                listed = await asyncio.to_thread(
                    self._client.messages.list,
                    message_direction="outbound",
                    message_time__gte=after,
                    to_number=sms.to.lstrip("+"),
                    limit=LIST_PAGE,
                    offset=page * LIST_PAGE,
                )
            except TypeError as exc:
                # An error answer to the listing (its 429 above all) has no "objects": the
                # SDK fails reading it. Cannot tell, so no second SMS: retry later.
                raise ProviderError(
                    f"Plivo's message listing failed: {exc}",
                    code="listing",
                    retryable=True,
                    retry_after_seconds=60.0,
                    outage=False,
                ) from exc
            except Exception as exc:
                raise _classify(exc) from exc
            records = list(listed)
            for record in records:  # newest first: the latest unknown one is ours
                uuid = str(record.message_uuid)
                if uuid not in known_ids and _digits(record.from_number) == _digits(sender):
                    return SentSms(
                        provider="plivo",
                        provider_message_id=uuid,
                        part_ids=(uuid,),
                        parts=int(getattr(record, "units", 1) or 1),
                        status=STATUS.get(str(record.message_state), "sent"),
                        to=sms.to,
                        body=sms.body,
                    )
            if len(records) < LIST_PAGE:
                return None
        return None

    async def fetch_status(self, provider_message_id: str) -> str:
        try:
            record = await asyncio.to_thread(self._client.messages.get, provider_message_id)
        except Exception as exc:
            raise _classify(exc) from exc
        return STATUS.get(str(record.message_state), "sent")

    def parse_delivery_report(self, request: SignedRequest) -> PartReport:
        params = request.params
        message_id, status = params.get("MessageUUID"), str(params.get("Status", "")).lower()
        if not message_id or status not in STATUS:
            raise ValueError("a Plivo status callback needs MessageUUID and a known Status")
        sequence = params.get("Sequence")
        return PartReport(
            provider="plivo",
            message_id=message_id,
            parent_id=params.get("ParentMessageUUID") or message_id,
            status=STATUS[status],
            error_code=error_code(params.get("ErrorCode"), "000"),
            price=decimal_or_none(params.get("TotalAmount")),
            sequence=int(sequence) if sequence and sequence.isdigit() else None,
        )

    def parse_inbound(self, request: SignedRequest) -> InboundSms:
        return parse_inbound_params(
            "plivo", request.params, INBOUND_FIELDS, "a Plivo inbound message"
        )

    def signature_is_valid(self, request: SignedRequest) -> bool:
        headers = {k.lower(): v for k, v in request.headers.items()}
        signature = headers.get("x-plivo-signature-v3", "")
        nonce = headers.get("x-plivo-signature-v3-nonce", "")
        if not signature or not nonce:
            return False
        params = dict(request.params) if request.method.upper() == "POST" else {}
        try:
            return bool(
                validate_v3_signature(
                    request.method.upper(),
                    request.url,
                    nonce,
                    self._auth_token,
                    signature,
                    params,
                )
            )
        except plivo_errors.ValidationError:
            return False

    def reports_delivery(self, country: str | None) -> bool:
        return country not in NO_DELIVERY_REPORTS

    async def close(self) -> None:
        self._client.session.close()
        self._client.multipart_session.close()


def _digits(number: object) -> str:
    return "".join(ch for ch in str(number or "") if ch.isdigit())


def _classify(exc: Exception) -> ProviderError:
    if isinstance(exc, requests.RequestException):
        return requests_unreachable("Plivo", exc)
    text = str(exc)
    if isinstance(exc, plivo_errors.PlivoServerError):
        return ProviderError(f"Plivo 500: {text}", code="500", retryable=True, http_status=500)
    if isinstance(exc, plivo_errors.AuthenticationError):
        return ProviderError(f"Plivo 401: {text}", code="401", retryable=False, http_status=401)
    if isinstance(exc, plivo_errors.GeoPermissionError | plivo_errors.ForbiddenError):
        return ProviderError(f"Plivo 403: {text}", code="403", retryable=False, http_status=403)
    if isinstance(exc, plivo_errors.ValidationError | plivo_errors.InvalidRequestError):
        return ProviderError(f"Plivo refused: {text}", code="400", retryable=False, http_status=400)
    match = _STATUS_CODE.search(text)
    if isinstance(exc, plivo_errors.PlivoRestError) and match:
        status = int(match.group(1))
        return ProviderError(
            f"Plivo {status}: {text}",
            code=str(status),
            retryable=status >= 500 or status == 429,
            http_status=status,
            retry_after_seconds=60.0 if status == 429 else None,
        )
    if isinstance(exc, plivo_errors.PlivoRestError):
        return ProviderError(f"Plivo error: {text}", code=None, retryable=False)
    raise exc
