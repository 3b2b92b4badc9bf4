"""The Twilio sandbox's carrier: it plays each accepted message through ``[accepted ->]
queued -> sending -> sent -> final`` in the background, and posts each change as a signed
status callback the way Twilio does (retried only when the connection fails, ``rc=1``)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any

import aiohttp
import yarl
from twilio.request_validator import RequestValidator

from sandbox.rules import DestinationRule, RuleBook
from sandbox.segments import count_segments
from sandbox.twilio_message import API_VERSION, SandboxMessage
from sandbox.webhooks import WebhookAttempt

log = logging.getLogger(__name__)

# The number a Messaging Service "picks" when the request names no From.
MESSAGING_SERVICE_SENDER = "+15005550006"
# Twilio retries a webhook once when the connection fails (connection overrides: rc=1).
CALLBACK_CONNECTION_RETRIES = 1
CALLBACK_RETRY_PAUSE_SECONDS = 0.5
# The "sent" callback goes out shortly after acceptance, never later than the final one.
SENT_CALLBACK_MAX_SECONDS = 0.1
CALLBACK_TIMEOUT_SECONDS = 10.0


class TwilioCarrier:
    """The background carrier tasks and the signed webhooks they (and inbound SMS) post."""

    def __init__(self, *, auth_token: str, rules: RuleBook, callback_delay_seconds: float) -> None:
        self.rules = rules
        self.callback_delay_seconds = callback_delay_seconds
        self._validator = RequestValidator(auth_token)
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

    # -- carrier simulation and callbacks -------------------------------------------------

    def play(self, message: SandboxMessage, rule: DestinationRule | None) -> None:
        """Start the message's journey in the background; the API answers meanwhile."""
        self._spawn(self._play_carrier(message, rule))

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
