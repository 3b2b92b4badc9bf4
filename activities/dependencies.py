"""What the activities need, built once per worker process."""

from __future__ import annotations

from dataclasses import dataclass

from config.settings import Settings
from providers.email import SmtpEmail
from providers.push import HttpPush, PushProvider
from providers.sms import TwilioSms
from store.repository import Store


@dataclass
class Dependencies:
    settings: Settings
    store: Store
    sms: TwilioSms
    email: SmtpEmail
    push: PushProvider

    @classmethod
    def create(cls, settings: Settings) -> Dependencies:
        """Must run inside the event loop (the HTTP clients bind to it)."""
        return cls(
            settings=settings,
            store=Store.connect(settings.effective_database_url),
            sms=TwilioSms(settings),
            email=SmtpEmail(settings),
            push=HttpPush(settings),
        )

    async def close(self) -> None:
        await self.sms.close()
        if isinstance(self.push, HttpPush):
            await self.push.close()
        self.store.close()
