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

This module owns the account (auth, the create, fetch and list calls, inbound SMS) and the
routes; the Message and its JSON shapes are in sandbox/twilio_message.py, the list's filters
and paging in sandbox/twilio_listing.py, the carrier and its signed callbacks in
sandbox/twilio_carrier.py. Other code imports from here.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import re
import secrets
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from sandbox.rules import RuleBook, create_rules_router
from sandbox.segments import count_segments
from sandbox.twilio_carrier import MESSAGING_SERVICE_SENDER, TwilioCarrier
from sandbox.twilio_listing import list_page
from sandbox.twilio_message import API_VERSION, SandboxMessage, new_sid, twilio_error
from sandbox.twilio_refusals import AccountSenders

# Imported from here by other modules: count_segments (sandbox/plivo_api.py) and the
# account's sender and service (sandbox/app.py, tests).
__all__ = [
    "MESSAGING_SERVICE_SENDER",
    "SANDBOX_MESSAGING_SERVICE",
    "InboundSms",
    "TwilioSandbox",
    "count_segments",
    "create_twilio_router",
]

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
SANDBOX_MESSAGING_SERVICE = "MG" + "0" * 32  # the sandbox account's own service
TRIAL_PREFIX = "Sent from your Twilio trial account - "


class InboundSms(BaseModel):
    """A text "from a phone" that the sandbox delivers to Herald's inbound webhook."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    body: str = ""
    webhook_url: str


class TwilioSandbox:
    """The sandbox's Twilio account: stored messages, rules, senders and its carrier."""

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
        self.max_messages = max_messages
        self.messages: dict[str, SandboxMessage] = {}  # insertion order = acceptance order
        self.inbound: list[dict[str, Any]] = []
        self._expected_auth = "Basic " + base64.b64encode(
            f"{account_sid}:{auth_token}".encode()
        ).decode("ascii")
        self.carrier = TwilioCarrier(
            auth_token=auth_token, rules=rules, callback_delay_seconds=callback_delay_seconds
        )

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        await self.carrier.start()

    async def stop(self) -> None:
        await self.carrier.stop()

    async def reset(self) -> None:
        """Forget every message; pending callbacks are cancelled so they cannot leak into the
        next test."""
        await self.carrier.cancel_pending()
        self.messages.clear()
        self.inbound.clear()
        self.senders.opted_out.clear()

    # -- Twilio API ------------------------------------------------------------------------

    def authenticate(self, request: Request, account_sid: str) -> JSONResponse | None:
        """Twilio's 401 unless Basic auth and the path's AccountSid match the sandbox account."""
        supplied = request.headers.get("authorization", "")
        credentials_ok = self._basic_auth_matches(supplied)
        if credentials_ok and secrets.compare_digest(
            account_sid.encode(), self.account_sid.encode()
        ):
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
        self.carrier.play(message, rule)
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
        return list_page(self.messages, request.query_params, account_sid)

    # -- inbound SMS ----------------------------------------------------------------------

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
        status_code, error, response_body = await self.carrier.post_signed(
            inbound.webhook_url, params
        )
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
