"""An SMTP server that accepts every e-mail and keeps the most recent ones in memory.

aiosmtpd's ``Controller`` runs the server on its own thread and event loop, so the store is
guarded by a lock: the HTTP app reads it from the sandbox's loop.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session
from fastapi import APIRouter

DEFAULT_MAX_EMAILS = 1000


@dataclass(slots=True)
class ReceivedEmail:
    envelope_from: str
    envelope_to: list[str]
    subject: str
    from_header: str
    to_header: str
    message_id: str | None
    text: str | None
    html: str | None
    received_at: float
    size: int
    headers: dict[str, str] = field(default_factory=dict)


def _accept_any_login(*_args: Any) -> AuthResult:
    # Lets a client configured with SMTP credentials talk to the sink unchanged.
    return AuthResult(success=True)


def _part_content(message: EmailMessage, subtype: str) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_subtype() != subtype:
        return None
    content = part.get_content()
    return content if isinstance(content, str) else None


def parse_email(envelope: Envelope) -> ReceivedEmail:
    raw = envelope.original_content or envelope.content or b""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)  # policy.default always builds EmailMessage
    return ReceivedEmail(
        envelope_from=envelope.mail_from or "",
        envelope_to=list(envelope.rcpt_tos),
        subject=str(message.get("Subject", "")),
        from_header=str(message.get("From", "")),
        to_header=str(message.get("To", "")),
        message_id=str(message["Message-ID"]) if message["Message-ID"] else None,
        text=_part_content(message, "plain"),
        html=_part_content(message, "html"),
        received_at=time.time(),
        size=len(raw),
        headers={key: str(value) for key, value in message.items()},
    )


class EmailSink:
    """aiosmtpd handler plus the bounded in-memory mailbox it fills."""

    def __init__(self, *, max_emails: int = DEFAULT_MAX_EMAILS) -> None:
        self._emails: deque[ReceivedEmail] = deque(maxlen=max_emails)
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        email = parse_email(envelope)
        with self._lock:
            self._emails.append(email)
        return "250 Message accepted for delivery"

    def emails(self, to: str | None = None) -> list[ReceivedEmail]:
        with self._lock:
            emails = list(self._emails)
        if to is None:
            return emails
        wanted = to.lower()
        return [e for e in emails if any(r.lower() == wanted for r in e.envelope_to)]

    def reset(self) -> None:
        with self._lock:
            self._emails.clear()

    @property
    def port(self) -> int | None:
        return self._controller.port if self._controller is not None else None

    async def start(self, host: str, port: int) -> None:
        controller = Controller(
            self,
            hostname=host,
            port=port,
            authenticator=_accept_any_login,
            auth_require_tls=False,
        )
        # start() blocks until the server thread answers; keep the event loop free meanwhile.
        await asyncio.to_thread(controller.start)
        self._controller = controller

    async def stop(self) -> None:
        if self._controller is not None:
            controller, self._controller = self._controller, None
            await asyncio.to_thread(controller.stop)


def create_email_router(sink: EmailSink) -> APIRouter:
    router = APIRouter()

    @router.get("/sandbox/emails")
    async def received(to: str | None = None) -> dict[str, Any]:
        return {"emails": [asdict(e) for e in sink.emails(to)]}

    return router
