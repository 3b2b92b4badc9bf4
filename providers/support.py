"""The support desk: call-back requests and exception alerts, over HTTP JSON or e-mail.

- ``POST {base}/callbacks`` ``{"idempotency_key", "context"}`` -> ``{"ticket_id"}``
- ``POST {base}/alerts`` ``{"idempotency_key", "context"}`` -> ``{"alert_id"}``

:class:`EmailSupportDesk` sends the same requests to a team's mailbox instead, with a
Message-ID derived from the idempotency key. The key defaults to a hash of the context,
so an activity retried with the same input opens one ticket. Support sees the customer's
phone (it has to call back): that is why this context never goes near the language model.
"""

from __future__ import annotations

import hashlib
from typing import Any, Protocol, Self

import httpx
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from config.conversation import ConversationSettings
from providers.errors import ProviderError
from providers.json_api import JsonApiClient


class ConversationLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    at: AwareDatetime
    direction: str  # "inbound" (the customer) or "outbound" (Herald)
    text: str


class SupportContext(BaseModel):
    """What support needs to act without looking anything up."""

    model_config = ConfigDict(frozen=True)

    reason: str  # "call_me", "delayed", "delivery_attempted", "address_problem", "lost"...
    workflow_id: str
    kind: str  # "order" or "return"
    reference: str
    customer_name: str
    customer_phone: str | None = None
    customer_email: str | None = None
    locale: str = "en"
    milestone: str | None = None
    carrier: str | None = None
    tracking_id: str | None = None
    estimated_arrival: AwareDatetime | None = None
    detail: str | None = None
    conversation: tuple[ConversationLine, ...] = Field(default=())

    def idempotency_key(self, action: str) -> str:
        digest = hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:32]
        return f"{action}-{digest}"


class SupportError(ProviderError):
    """The support desk did not take the request; ``retryable`` says whether to try again."""


class SupportDesk(JsonApiClient):
    @classmethod
    def from_settings(cls, settings: ConversationSettings) -> Self:
        return cls(
            settings.effective_support_base_url,
            api_key=settings.support_api_key.get_secret_value(),
            timeout_seconds=settings.support_timeout_seconds,
        )

    async def open_callback(
        self, context: SupportContext, *, idempotency_key: str | None = None
    ) -> str:
        """Open a call-back request; returns the support system's ticket id."""
        key = idempotency_key or context.idempotency_key("callback")
        return str((await self._post("/callbacks", context, key))["ticket_id"])

    async def alert(self, context: SupportContext, *, idempotency_key: str | None = None) -> str:
        """Tell support about a delivery exception; returns the alert id."""
        key = idempotency_key or context.idempotency_key("alert")
        return str((await self._post("/alerts", context, key))["alert_id"])

    async def _post(self, path: str, context: SupportContext, key: str) -> dict[str, Any]:
        payload = {"idempotency_key": key, "context": context.model_dump(mode="json")}
        try:
            response = await self._http.post(path, json=payload, headers={"Idempotency-Key": key})
        except httpx.HTTPError as exc:
            raise SupportError(f"support unreachable: {exc!r}", code=None, retryable=True) from exc
        if response.status_code >= 400:
            status = response.status_code
            raise SupportError(
                f"support answered {status}: {response.text[:200]}",
                code=f"support-{status}",
                retryable=status >= 500 or status in (408, 429),
                http_status=status,
            )
        try:
            body: dict[str, Any] = response.json()
            return body
        except ValueError as exc:
            raise SupportError(
                f"unexpected support answer: {exc}", code="support-bad-answer", retryable=False
            ) from exc


class EmailSender(Protocol):
    """What :class:`providers.email.SmtpEmail` offers."""

    async def send(
        self, to: str, subject: str, text: str, html: str | None, message_id: str
    ) -> str: ...


_SUBJECTS = {"callback": "Call-back request", "alert": "Delivery exception"}


class EmailSupportDesk:
    """Support requests as e-mails to the team; the ticket id is the Message-ID."""

    def __init__(self, sender: EmailSender, team_address: str) -> None:
        self._sender = sender
        self._team_address = team_address

    async def open_callback(
        self, context: SupportContext, *, idempotency_key: str | None = None
    ) -> str:
        return await self._send("callback", context, idempotency_key)

    async def alert(self, context: SupportContext, *, idempotency_key: str | None = None) -> str:
        return await self._send("alert", context, idempotency_key)

    async def _send(self, action: str, context: SupportContext, key: str | None) -> str:
        key = key or context.idempotency_key(action)
        subject = f"{_SUBJECTS[action]}: {context.kind} {context.reference} ({context.reason})"
        message_id = f"<{key}@support.herald>"
        try:
            return await self._sender.send(
                self._team_address, subject, support_email_text(context), None, message_id
            )
        except ProviderError as error:
            raise SupportError(str(error), code=error.code, retryable=error.retryable) from error

    async def aclose(self) -> None:
        return None


def support_email_text(context: SupportContext) -> str:
    """The context as a plain-text e-mail: facts first, then the conversation."""
    facts = context.model_dump(mode="json", exclude={"conversation"}, exclude_none=True)
    lines = [f"{name.replace('_', ' ')}: {value}" for name, value in facts.items()]
    if context.conversation:
        lines += ["", "Conversation:"]
        lines += [
            f"{line.at.isoformat()} {line.direction}: {line.text}" for line in context.conversation
        ]
    return "\n".join(lines) + "\n"


def support_desk_for(
    settings: ConversationSettings, email_sender: EmailSender | None = None
) -> SupportDesk | EmailSupportDesk:
    """E-mail when only a team address is configured, else the HTTP desk (the sandbox's
    by default). ``email_sender`` is :class:`providers.email.SmtpEmail` in the worker."""
    if settings.support_by_email:
        if email_sender is None:
            raise ValueError("HERALD_SUPPORT_EMAIL is set: give an e-mail sender")
        return EmailSupportDesk(email_sender, settings.support_email)
    return SupportDesk.from_settings(settings)
