"""What the activities need, built once per worker process."""

from __future__ import annotations

from dataclasses import dataclass

from activities.report_waits import ReportWaits
from activities.sms_routing import SmsRouter
from config.conversation import ConversationSettings, get_conversation_settings
from config.settings import Settings
from privacy.sealed import Sealer
from providers.email import SmtpEmail
from providers.language_model import ChatCompletions
from providers.oms import OmsClient
from providers.push import HttpPush, PushProvider
from providers.sms import TwilioSms
from providers.sms_providers import available_sms_providers, build_sms_providers
from providers.support import EmailSupportDesk, SupportDesk, support_desk_for
from providers.twilio_provider import TwilioProvider
from routing.rules import RoutingRules
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
    sms_router: SmsRouter  # which provider sends each SMS (Twilio alone: no choice)

    @classmethod
    def create(cls, settings: Settings) -> Dependencies:
        """Must run inside the event loop (the HTTP clients bind to it)."""
        conversation = get_conversation_settings()
        email = SmtpEmail(settings)
        store = Store.connect(settings.effective_database_url, Sealer.from_settings(settings))
        sms = TwilioSms(settings)
        return cls(
            settings=settings,
            store=store,
            sms=sms,
            email=email,
            push=HttpPush(settings),
            conversation=conversation,
            oms=OmsClient.from_settings(conversation),
            support=support_desk_for(conversation, email),
            language_model=ChatCompletions.from_settings(conversation),
            report_waits=ReportWaits(store.statuses),
            sms_router=sms_router(settings, store, sms),
        )

    async def close(self) -> None:
        await self.report_waits.release_all()  # before the store closes
        await self.sms.close()
        for name, provider in self.sms_router.providers.items():
            if name != "twilio":  # Twilio's is ``sms``, closed above
                await provider.close()
        if isinstance(self.push, HttpPush):
            await self.push.close()
        await self.oms.aclose()
        await self.support.aclose()
        if self.language_model is not None:
            await self.language_model.aclose()
        self.store.close()


def sms_router(settings: Settings, store: Store, sms: TwilioSms) -> SmsRouter:
    """The providers this deployment routes between; Twilio's adapter shares ``sms``."""
    others = build_sms_providers(settings, only=("vonage", "plivo"))
    providers = {"twilio": TwilioProvider(settings, sms), **others}
    available = available_sms_providers(settings)
    return SmsRouter(
        store,
        RoutingRules.load(settings.routing_rules_path),
        {name: p for name, p in providers.items() if name in available},  # type: ignore[misc]
    )
