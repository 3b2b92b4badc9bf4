"""A local stand-in for Twilio's Messages API (2010-04-01) that the official SDK talks to unchanged.

As strict as Twilio's documentation, unkind parts included, since Herald's tests prove only
what holds against it:
- a message starts ``queued`` (``accepted``, with no sender and no segments yet, through a
  Messaging Service) and has no ``date_sent`` until the carrier takes it; the ``DateSent``
  filters match that date (the date only, not the time) and never a message without one;
- the carrier moves it through ``queued`` -> ``sending`` -> ``sent`` -> a final status, and
  each change is posted as a signed status callback, in no guaranteed order (a rule can
  shuffle them or repeat them); a callback is retried only when the connection fails
  (Twilio's default ``rc=1``), never for an error status;
- what Twilio refuses at create is refused (sandbox/twilio_refusals.py), and a number that
  texted STOP gets nothing more until START (21610).
``/sandbox/*`` routes let tests and the benchmark inspect what was sent, inject inbound SMS
and change the per-destination rules.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import math
import re
import secrets
import time
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

import aiohttp
import yarl
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from twilio.request_validator import RequestValidator

from sandbox.rules import DestinationRule, FinalOutcome, RuleBook, create_rules_router
from sandbox.twilio_refusals import AccountSenders
from sandbox.webhooks import WebhookAttempt

log = logging.getLogger(__name__)

API_VERSION = "2010-04-01"
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
# The number a Messaging Service "picks" when the request names no From.
MESSAGING_SERVICE_SENDER = "+15005550006"
SANDBOX_MESSAGING_SERVICE = "MG" + "0" * 32  # the sandbox account's own service
TRIAL_PREFIX = "Sent from your Twilio trial account - "
# Twilio retries a webhook once when the connection fails (connection overrides: rc=1).
CALLBACK_CONNECTION_RETRIES = 1
CALLBACK_RETRY_PAUSE_SECONDS = 0.5
# The "sent" callback goes out shortly after acceptance, never later than the final one.
SENT_CALLBACK_MAX_SECONDS = 0.1
CALLBACK_TIMEOUT_SECONDS = 10.0
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000

# Carrier error texts Twilio shows in a message's error_message for the usual codes.
ERROR_MESSAGES: dict[int, str] = {
    30003: "Unreachable destination handset",
    30004: "Message blocked",
    30005: "Unknown destination handset",
    30006: "Landline or unreachable carrier",
    30007: "Message filtered",
    30008: "Unknown error",
}

_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")  # each costs an escape plus the character


def count_segments(body: str) -> int:
    """Rough SMS segment count: GSM-7 160/153 characters, otherwise UCS-2 70/67 code units."""
    if all(ch in _GSM7_BASIC or ch in _GSM7_EXTENDED for ch in body):
        units = sum(2 if ch in _GSM7_EXTENDED else 1 for ch in body)
        single, multi = 160, 153
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, multi = 70, 67
    return 1 if units <= single else math.ceil(units / multi)


def twilio_error(status: int, code: int | None, message: str) -> JSONResponse:
    """An error in Twilio's JSON shape, which the SDK turns into ``TwilioRestException``."""
    more_info = f"https://www.twilio.com/docs/errors/{code}" if code is not None else None
    content = {"code": code, "message": message, "more_info": more_info, "status": status}
    return JSONResponse(content, status_code=status)


def rfc2822(moment: datetime) -> str:
    return format_datetime(moment)  # "Thu, 14 Mar 2024 10:00:00 +0000" for a UTC datetime


def new_sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


@dataclass(slots=True)
class SandboxMessage:
    sid: str
    account_sid: str
    to: str
    from_: str | None  # None until a Messaging Service picks its sender
    body: str
    messaging_service_sid: str | None
    status_callback: str | None
    num_segments: int | None  # None until a Messaging Service's message is queued
    accepted_at: float  # epoch seconds when the create request was accepted
    created: datetime  # UTC, whole seconds, like Twilio's timestamps
    final: FinalOutcome
    status: str = "queued"
    updated: datetime | None = None
    sent: datetime | None = None  # date_sent: when the carrier took it; None before
    error_code: int | None = None
    callbacks: list[WebhookAttempt] = field(default_factory=list)

    def move_to(self, status: str, error_code: int | None = None) -> None:
        self.status = status
        self.error_code = error_code
        self.updated = datetime.now(UTC).replace(microsecond=0)

    @property
    def error_message(self) -> str | None:
        if self.error_code is None:
            return None
        return ERROR_MESSAGES.get(self.error_code, "Unknown error")

    def resource(self) -> dict[str, Any]:
        """The Message resource exactly as Twilio's API returns it."""
        base = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{self.sid}"
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": self.body,
            "date_created": rfc2822(self.created),
            "date_sent": rfc2822(self.sent) if self.sent else None,
            "date_updated": rfc2822(self.updated or self.created),
            "direction": "outbound-api",
            "error_code": self.error_code,
            "error_message": self.error_message,
            "from": self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "num_media": "0",
            "num_segments": str(self.num_segments) if self.num_segments is not None else "0",
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {
                "media": f"{base}/Media.json",
                "feedback": f"{base}/Feedback.json",
            },
            "to": self.to,
            "uri": f"{base}.json",
        }

    def summary(self) -> dict[str, Any]:
        """The sandbox's own view, for tests and the benchmark."""
        return {
            "sid": self.sid,
            "to": self.to,
            "from": self.from_,
            "body": self.body,
            "messaging_service_sid": self.messaging_service_sid,
            "status": self.status,
            "error_code": self.error_code,
            "status_callback": self.status_callback,
            "accepted_at": self.accepted_at,
            "callbacks": [attempt.as_json() for attempt in self.callbacks],
        }


class InboundSms(BaseModel):
    """A text "from a phone" that the sandbox delivers to Herald's inbound webhook."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    body: str = ""
    webhook_url: str


class TwilioSandbox:
    """The sandbox's Twilio state: stored messages, rules, and the background carrier tasks."""

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        rules: RuleBook,
        callback_delay_seconds: float,
        max_messages: int = 100_000,
        senders: AccountSenders | None = None,
        trial: bool = False,
    ) -> None:
        self.senders = senders or AccountSenders.of(
            [MESSAGING_SERVICE_SENDER, SANDBOX_MESSAGING_SERVICE]
        )
        self.trial = trial
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.rules = rules
        self.callback_delay_seconds = callback_delay_seconds
        self.max_messages = max_messages
        self.messages: dict[str, SandboxMessage] = {}  # insertion order = acceptance order
        self.inbound: list[dict[str, Any]] = []
        self._validator = RequestValidator(auth_token)
        self._expected_auth = "Basic " + base64.b64encode(
            f"{account_sid}:{auth_token}".encode()
        ).decode("ascii")
        self._tasks: set[asyncio.Task[None]] = set()
        # aiohttp for the webhooks: several times cheaper per request than httpx, and they
        # are most of what the sandbox does under load (two per message).
        self._http: aiohttp.ClientSession | None = None

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        self.http  # noqa: B018 (opens the session)

    async def stop(self) -> None:
        await self.cancel_pending()
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def cancel_pending(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def reset(self) -> None:
        """Forget every message; pending callbacks are cancelled so they cannot leak into the
        next test."""
        await self.cancel_pending()
        self.messages.clear()
        self.inbound.clear()
        self.senders.opted_out.clear()

    @property
    def http(self) -> aiohttp.ClientSession:
        if self._http is None:  # also when used without the app's lifespan (a bare router)
            timeout = aiohttp.ClientTimeout(total=CALLBACK_TIMEOUT_SECONDS)
            self._http = aiohttp.ClientSession(timeout=timeout)
        return self._http

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        # Keep a strong reference: the event loop only holds weak ones to running tasks.
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- Twilio API ------------------------------------------------------------------------

    def authenticate(self, request: Request, account_sid: str) -> JSONResponse | None:
        """Twilio's 401 unless Basic auth and the path's AccountSid match the sandbox account."""
        supplied = request.headers.get("authorization", "")
        credentials_ok = self._basic_auth_matches(supplied)
        if credentials_ok and secrets.compare_digest(account_sid, self.account_sid):
            return None
        return twilio_error(401, 20003, "Authenticate")

    def _basic_auth_matches(self, header: str) -> bool:
        if secrets.compare_digest(header.encode(), self._expected_auth.encode()):
            return True
        # Tolerate a different (but equivalent) base64 padding or scheme case.
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(encoded, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return False
        return secrets.compare_digest(
            decoded.encode(), f"{self.account_sid}:{self.auth_token}".encode()
        )

    async def create_message(self, request: Request, account_sid: str) -> JSONResponse:
        if (denied := self.authenticate(request, account_sid)) is not None:
            return denied
        form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        to = form.get("To", "").strip()
        body = form.get("Body", "")
        from_ = form.get("From", "").strip()
        service_sid = form.get("MessagingServiceSid", "").strip() or None
        status_callback = form.get("StatusCallback", "").strip() or None
        if not to:
            return twilio_error(400, 21604, "A 'To' phone number is required.")
        if not E164.match(to):
            return twilio_error(400, 21211, f"Invalid 'To' Phone Number: {to}")
        if not body:
            return twilio_error(400, 21602, "Message body is required.")
        if not from_ and service_sid is None:
            return twilio_error(400, 21603, "A 'From' phone number is required.")
        refused = self.senders.refusal(
            to=to, from_=from_ or None, service=service_sid, body=body, callback=status_callback
        )
        if refused is not None:
            return twilio_error(refused.status, refused.code, refused.message)
        if self.trial:
            body = TRIAL_PREFIX + body

        rule, api_error = self.rules.api_error_for_call(to)
        if rule is not None and rule.latency_ms:
            await asyncio.sleep(rule.latency_ms / 1000)
        if api_error is not None:
            return twilio_error(api_error.status, api_error.code, api_error.message)

        now = datetime.now(UTC)
        through_service = service_sid is not None and not from_
        message = SandboxMessage(
            sid=new_sid("SM"),
            account_sid=self.account_sid,
            to=to,
            from_=None if through_service else from_,
            body=body,
            messaging_service_sid=service_sid,
            status_callback=status_callback,
            num_segments=None if through_service else count_segments(body),
            accepted_at=now.timestamp(),
            created=now.replace(microsecond=0),
            final=self.rules.final_outcome(rule),
            status="accepted" if through_service else "queued",
        )
        self._store(message)
        self._spawn(self._play_carrier(message, rule))
        resource = message.resource()  # as it was when taken: the callbacks may run meanwhile
        if rule is not None and rule.answer_delay_ms:
            await asyncio.sleep(rule.answer_delay_ms / 1000)
        return JSONResponse(resource, status_code=201)

    def _store(self, message: SandboxMessage) -> None:
        self.messages[message.sid] = message
        while len(self.messages) > self.max_messages:  # bounded memory for long benchmarks
            del self.messages[next(iter(self.messages))]

    async def fetch_message(self, request: Request, account_sid: str, sid: str) -> JSONResponse:
        if (denied := self.authenticate(request, account_sid)) is not None:
            return denied
        message = self.messages.get(sid)
        if message is None:
            path = f"/{API_VERSION}/Accounts/{account_sid}/Messages/{sid}.json"
            return twilio_error(404, 20404, f"The requested resource {path} was not found")
        return JSONResponse(message.resource())

    async def list_messages(self, request: Request, account_sid: str) -> JSONResponse:
        if (denied := self.authenticate(request, account_sid)) is not None:
            return denied
        query = request.query_params
        try:
            on = _parse_date_filter(query.get("DateSent"))
            on_or_before = _parse_date_filter(query.get("DateSent<"))
            on_or_after = _parse_date_filter(query.get("DateSent>"))
            page_size = min(max(int(query.get("PageSize", DEFAULT_PAGE_SIZE)), 1), MAX_PAGE_SIZE)
            page = max(int(query.get("Page", 0)), 0)
        except ValueError as exc:
            return twilio_error(400, 20001, f"Invalid parameter: {exc}")
        to, from_ = query.get("To"), query.get("From")

        matching = [
            m
            for m in reversed(self.messages.values())  # newest first, like Twilio
            if (to is None or m.to == to)
            and (from_ is None or m.from_ == from_)
            and _date_matches(m.sent, on, "=")
            and _date_matches(m.sent, on_or_before, "<")
            and _date_matches(m.sent, on_or_after, ">")
        ]
        start = page * page_size
        # A PageToken names the last message of the previous page, so paging stays stable
        # while new messages arrive at the front of the list.
        token = query.get("PageToken", "")
        if token.startswith("PA"):
            after_sid = token[2:]
            for index, m in enumerate(matching):
                if m.sid == after_sid:
                    start = index + 1
                    break
        records = matching[start : start + page_size]

        path = f"/{API_VERSION}/Accounts/{account_sid}/Messages.json"
        filters = {k: v for k, v in query.items() if k not in ("Page", "PageSize", "PageToken")}

        def page_uri(number: int, page_token: str | None = None) -> str:
            params = {**filters, "PageSize": page_size, "Page": number}
            if page_token is not None:
                params["PageToken"] = page_token
            return f"{path}?{urlencode(params)}"

        has_more = start + page_size < len(matching)
        payload = {
            "messages": [m.resource() for m in records],
            "end": start + len(records) - 1 if records else start,
            "first_page_uri": page_uri(0),
            "next_page_uri": page_uri(page + 1, "PA" + records[-1].sid) if has_more else None,
            "page": page,
            "page_size": page_size,
            "previous_page_uri": page_uri(page - 1) if page > 0 else None,
            "start": start,
            "uri": page_uri(page, token or None),
        }
        return JSONResponse(payload)

    # -- carrier simulation and callbacks -------------------------------------------------

    async def _play_carrier(self, message: SandboxMessage, rule: DestinationRule | None) -> None:
        """[accepted ->] queued -> sending -> sent -> final, a callback for each change."""
        delay = self.callback_delay_seconds
        if rule is not None and rule.callback_delay_seconds is not None:
            delay = rule.callback_delay_seconds
        report_final = rule is None or rule.send_callbacks
        hold = rule.hold_queued_seconds if rule is not None else 0.0
        loop = asyncio.get_running_loop()
        changes: list[str] = []
        try:
            if message.status == "accepted":  # the Messaging Service picks a sender
                await asyncio.sleep(0)
                message.from_ = MESSAGING_SERVICE_SENDER
                message.num_segments = count_segments(message.body)
                message.move_to("queued")
                changes.append("queued")
            await asyncio.sleep(hold)
            final_at = loop.time() + delay
            message.move_to("sending")
            changes.append("sending")
            await asyncio.sleep(min(SENT_CALLBACK_MAX_SECONDS, delay / 2))
            message.sent = datetime.now(UTC).replace(microsecond=0)
            message.move_to("sent")
            changes.append("sent")
            if message.status_callback and not (rule and rule.shuffle_callbacks):
                for status in changes:
                    await self._post_status(message, status, None, rule)
                changes.clear()
            await asyncio.sleep(max(0.0, final_at - loop.time()))
            message.move_to(message.final.status, message.final.error_code)
            if report_final:
                changes.append(message.final.status)
            if message.status_callback:
                if rule is not None and rule.shuffle_callbacks:
                    changes = self.rules.shuffled(changes)
                for status in changes:
                    code = message.error_code if status == message.final.status else None
                    await self._post_status(message, status, code, rule)
        except Exception:  # a bug here must not take the server down; make it visible instead
            log.exception("sandbox carrier simulation failed for %s", message.sid)

    async def _post_status(
        self,
        message: SandboxMessage,
        status: str,
        error_code: int | None,
        rule: DestinationRule | None,
    ) -> None:
        """One status callback (and the rule's repeats), retried only if it cannot connect."""
        assert message.status_callback is not None
        params = {
            "MessageSid": message.sid,
            "SmsSid": message.sid,
            "AccountSid": message.account_sid,
            "From": message.from_ or "",
            "To": message.to,
            "MessageStatus": status,
            "SmsStatus": status,
            "ApiVersion": API_VERSION,
        }
        if message.messaging_service_sid:
            params["MessagingServiceSid"] = message.messaging_service_sid
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        for _ in range(1 + (rule.repeat_callbacks if rule is not None else 0)):
            for attempt in range(1 + CALLBACK_CONNECTION_RETRIES):
                status_code, error, _ = await self.post_signed(message.status_callback, params)
                message.callbacks.append(
                    WebhookAttempt(
                        status,
                        message.status_callback,
                        status_code,
                        error,
                        time.time(),
                        kind_key="message_status",
                    )
                )
                if status_code is not None or attempt == CALLBACK_CONNECTION_RETRIES:
                    break  # answered, whatever the status: Twilio does not retry that
                await asyncio.sleep(CALLBACK_RETRY_PAUSE_SECONDS)

    async def post_signed(
        self, url: str, params: dict[str, str]
    ) -> tuple[int | None, str | None, str | None]:
        """POST a form like Twilio's webhooks do; returns (status, error, response body)."""
        headers = {
            "X-Twilio-Signature": self._validator.compute_signature(url, params),
            "User-Agent": "TwilioProxy/1.1",
            "Accept": "*/*",
        }
        try:
            # encoded=True: the URL goes out byte for byte as signed (yarl would requote it).
            target = yarl.URL(url, encoded=True)
            async with self.http.post(target, data=params, headers=headers) as response:
                status, text = response.status, await response.text()
        except Exception as exc:  # receiver down or slow: recorded, never fatal
            log.warning("sandbox webhook to %s failed: %r", url, exc)
            return None, repr(exc), None
        if status >= 400:
            log.warning("sandbox webhook to %s answered %s", url, status)
        return status, None, text

    async def deliver_inbound(self, inbound: InboundSms) -> JSONResponse:
        self.senders.hear(inbound.from_, inbound.body)  # Twilio's own STOP/START handling
        sid = new_sid("SM")
        params = {
            "MessageSid": sid,
            "SmsSid": sid,
            "SmsMessageSid": sid,
            "AccountSid": self.account_sid,
            "From": inbound.from_,
            "To": inbound.to,
            "Body": inbound.body,
            "NumMedia": "0",
            "NumSegments": str(count_segments(inbound.body)),
            "SmsStatus": "received",
            "ApiVersion": API_VERSION,
        }
        if inbound.from_.startswith("+1"):
            params["FromCountry"] = "US"
        if inbound.to.startswith("+1"):
            params["ToCountry"] = "US"
        status_code, error, response_body = await self.post_signed(inbound.webhook_url, params)
        result = {
            "message_sid": sid,
            "webhook_url": inbound.webhook_url,
            "params": params,
            "status_code": status_code,
            "response_body": response_body,
            "error": error,
            "received_at": time.time(),
        }
        self.inbound.append(result)
        return JSONResponse(result, status_code=200 if error is None else 502)


def _parse_date_filter(value: str | None) -> date | datetime | None:
    """Twilio accepts ``YYYY-MM-DD`` or an ISO 8601 timestamp, and uses its date only."""
    if not value:
        return None
    if len(value) == 10:
        return date.fromisoformat(value)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.date()  # Twilio matches on the date alone


def _date_matches(sent: datetime | None, bound: date | datetime | None, op: str) -> bool:
    """Twilio's DateSent filters are inclusive (``<`` on or before, ``>`` on or after) and
    compare the date only: a time in the filter is ignored. A message not sent yet has no
    date, so no DateSent filter ever matches it."""
    if bound is None:
        return True
    if sent is None:
        return False
    if isinstance(bound, datetime):
        bound = bound.date()
    day = sent.date()
    return day <= bound if op == "<" else day >= bound if op == ">" else day == bound


def create_twilio_router(sandbox: TwilioSandbox) -> APIRouter:
    """Routes for the Twilio-compatible API plus the sandbox's SMS control endpoints."""
    router = APIRouter()
    messages_path = f"/{API_VERSION}/Accounts/{{account_sid}}/Messages"

    @router.post(f"{messages_path}.json")
    async def create_message(account_sid: str, request: Request) -> JSONResponse:
        return await sandbox.create_message(request, account_sid)

    @router.get(f"{messages_path}.json")
    async def list_messages(account_sid: str, request: Request) -> JSONResponse:
        return await sandbox.list_messages(request, account_sid)

    @router.get(f"{messages_path}/{{sid}}.json")
    async def fetch_message(account_sid: str, sid: str, request: Request) -> JSONResponse:
        return await sandbox.fetch_message(request, account_sid, sid)

    @router.get("/sandbox/messages")
    async def sandbox_messages(to: str | None = None) -> dict[str, Any]:
        return {
            "messages": [m.summary() for m in sandbox.messages.values() if to is None or m.to == to]
        }

    @router.post("/sandbox/inbound")
    async def inbound(message: InboundSms) -> JSONResponse:
        return await sandbox.deliver_inbound(message)

    @router.get("/sandbox/inbound")
    async def inbound_log() -> dict[str, Any]:
        return {"inbound": sandbox.inbound}

    router.include_router(create_rules_router(sandbox.rules, "/sandbox/rules"))
    return router
