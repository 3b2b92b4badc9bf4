"""Send one e-mail (the fallback when SMS fails, or the first channel without a phone).

Idempotency: the outbox row per message key (``send_once``). A completed row is never sent
again. SMTP has no way to ask whether an earlier, interrupted attempt got through, so a
retry after such a crash sends again with the same Message-ID (derived from the key), which
mail clients and most relays treat as the same message.
"""

from __future__ import annotations

import asyncio
import hashlib

from pydantic import BaseModel
from temporalio import activity

from activities.delivery import (
    MessageIdentity,
    new_outbox_message,
    rejected,
    render_or_reject,
)
from activities.other_channel import send_other_channel
from config.settings import Settings
from domain.events import MilestoneEvent
from domain.timeline import Channel
from observability import sends as observe
from providers.email import SmtpEmail
from reporting.open_tracking import with_pixel
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
    def __init__(
        self, store: Store, email: SmtpEmail, sender_domain: str, settings: Settings
    ) -> None:
        self._store = store
        self._email = email
        self._domain = sender_domain
        self._settings = settings

    async def _may_track(self, event: MilestoneEvent) -> bool:
        """Open tracking, unless it is off or the customer turned any e-mail off."""
        if not self._settings.email_open_tracking:
            return False
        customer = event.customer
        chosen = await asyncio.to_thread(
            self._store.preferences.for_customer, customer.email, customer.phone
        )
        return not any(c.channel is Channel.EMAIL and not c.enabled for c in chosen)

    @activity.defn(name="send_email")
    async def send_email(self, request: SendEmailInput) -> EmailSent:
        address = request.event.customer.email
        if not address:
            raise rejected("no-address", "the customer has no e-mail address")
        rendered = render_or_reject(request.event, Channel.EMAIL)
        identity = request.identity
        subject = rendered.subject or identity.milestone.value
        message_id = self._message_id(identity.message_key)
        message = new_outbox_message(identity, address, rendered.text, subject=subject)
        tracked = rendered.html is not None and await self._may_track(request.event)
        html = (
            with_pixel(rendered.html, identity.message_key, self._settings)
            if tracked and rendered.html is not None
            else rendered.html
        )

        async def send() -> str:
            await self._email.send(address, subject, rendered.text, html, message_id)
            return message_id

        delivered = await send_other_channel(
            self._store,
            identity,
            request.event,
            message,
            send,
            channel="email",
            provider=observe.EMAIL_PROVIDER,
            open_tracked=tracked,
        )
        return EmailSent(
            message_id=delivered.provider_message_id,
            subject=subject,
            text=rendered.text,
            deduplicated=delivered.deduplicated,
        )

    def _message_id(self, message_key: str) -> str:
        digest = hashlib.sha256(message_key.encode()).hexdigest()[:32]
        return f"<{digest}@{self._domain}>"
