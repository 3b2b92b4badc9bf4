"""Send one e-mail (the fallback when SMS fails, or the first channel without a phone).

Idempotency: the outbox row per message key (``send_once``). A completed row is never sent
again. SMTP has no way to ask whether an earlier, interrupted attempt got through, so a
retry after such a crash sends again with the same Message-ID (derived from the key), which
mail clients and most relays treat as the same message.
"""

from __future__ import annotations

import hashlib

from pydantic import BaseModel
from temporalio import activity

from activities.delivery import (
    MessageIdentity,
    new_outbox_message,
    rejected,
    render_or_reject,
    send_once,
)
from domain.events import MilestoneEvent
from domain.timeline import Channel
from providers.email import SmtpEmail
from store.repository import Store


class SendEmailInput(BaseModel):
    identity: MessageIdentity
    event: MilestoneEvent


class EmailSent(BaseModel):
    message_id: str
    subject: str
    text: str
    deduplicated: bool


class EmailActivities:
    def __init__(self, store: Store, email: SmtpEmail, sender_domain: str) -> None:
        self._store = store
        self._email = email
        self._domain = sender_domain

    @activity.defn(name="send_email")
    async def send_email(self, request: SendEmailInput) -> EmailSent:
        address = request.event.customer.email
        if not address:
            raise rejected("no-address", "the customer has no e-mail address")
        rendered = render_or_reject(request.event, Channel.EMAIL)
        subject = rendered.subject or request.identity.milestone.value
        message_id = self._message_id(request.identity.message_key)
        message = new_outbox_message(request.identity, address, rendered.text, subject=subject)

        async def send() -> str:
            await self._email.send(address, subject, rendered.text, rendered.html, message_id)
            return message_id

        delivered = await send_once(self._store, message, send)
        return EmailSent(
            message_id=delivered.provider_message_id,
            subject=subject,
            text=rendered.text,
            deduplicated=delivered.deduplicated,
        )

    def _message_id(self, message_key: str) -> str:
        digest = hashlib.sha256(message_key.encode()).hexdigest()[:32]
        return f"<{digest}@{self._domain}>"
