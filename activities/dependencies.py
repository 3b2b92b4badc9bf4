"""What the activities need, built once per worker process."""

from __future__ import annotations

from dataclasses import dataclass

from activities.report_waits import ReportWaits
from config.conversation import ConversationSettings, get_conversation_settings
from config.settings import Settings
from providers.email import SmtpEmail
from providers.language_model import ChatCompletions
from providers.oms import OmsClient
from providers.push import HttpPush, PushProvider
from providers.sms import TwilioSms
from providers.support import EmailSupportDesk, SupportDesk, support_desk_for
from store.repository import Store


@dataclass
class Dependencies:
    settings: Settings
    store: Store
    sms: TwilioSms
    email: SmtpEmail
    push: PushProvider
    conversation: ConversationSettings
    oms: OmsClient
    support: SupportDesk | EmailSupportDesk
    language_model: ChatCompletions | None  # None: exception messages use their templates
    report_waits: ReportWaits  # send activities waiting for a final report

    @classmethod
    def create(cls, settings: Settings) -> Dependencies:
        """Must run inside the event loop (the HTTP clients bind to it)."""
        conversation = get_conversation_settings()
        email = SmtpEmail(settings)
        store = Store.connect(settings.effective_database_url)
        return cls(
            settings=settings,
            store=store,
            sms=TwilioSms(settings),
            email=email,
            push=HttpPush(settings),
            conversation=conversation,
            oms=OmsClient.from_settings(conversation),
            support=support_desk_for(conversation, email),
            language_model=ChatCompletions.from_settings(conversation),
            report_waits=ReportWaits(store.statuses),
        )

    async def close(self) -> None:
        await self.report_waits.release_all()  # before the store closes
        await self.sms.close()
        if isinstance(self.push, HttpPush):
            await self.push.close()
        await self.oms.aclose()
        await self.support.aclose()
        if self.language_model is not None:
            await self.language_model.aclose()
        self.store.close()
