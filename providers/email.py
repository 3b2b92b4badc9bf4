"""E-mail over real SMTP (the sandbox's sink in dev and tests, any relay in production)."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

from config.settings import Settings
from providers.errors import ProviderError


class SmtpEmail:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def send(
        self, to: str, subject: str, text: str, html: str | None, message_id: str
    ) -> str:
        """Send one e-mail; returns its Message-ID.

        The Message-ID is derived from Herald's message key, so should a crash make us send
        twice, mail clients and most relays recognise the copy as the same message.
        """
        message = EmailMessage()
        message["From"] = self._settings.email_sender
        message["To"] = to
        message["Subject"] = subject
        message["Message-ID"] = message_id
        message.set_content(text)
        if html:
            message.add_alternative(html, subtype="html")
        settings = self._settings
        try:
            await aiosmtplib.send(
                message,
                hostname=settings.smtp_host,
                port=settings.effective_smtp_port,
                username=settings.smtp_username or None,
                password=settings.smtp_password.get_secret_value() or None,
                start_tls=settings.smtp_starttls,
                timeout=15,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise ProviderError(
                f"recipient refused: {exc}", code="smtp-550", retryable=False
            ) from exc
        except aiosmtplib.SMTPResponseException as exc:
            permanent = 500 <= exc.code < 600
            raise ProviderError(
                f"SMTP {exc.code}: {exc.message}", code=f"smtp-{exc.code}", retryable=not permanent
            ) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise ProviderError(f"SMTP unreachable: {exc!r}", code=None, retryable=True) from exc
        return message_id
