"""The SMS providers this deployment can use, built once per process from settings.

A provider is available when ``sms_providers`` lists it and it has credentials, or when
Herald runs against the sandbox (no Twilio credentials): real traffic never goes to a
sandbox, nor sandbox credentials to a real provider.
"""

from __future__ import annotations

from collections.abc import Collection

from config.settings import Settings
from providers.plivo_provider import PlivoProvider
from providers.sms_provider import PROVIDER_NAMES, ProviderName, SmsProvider
from providers.twilio_provider import TwilioProvider
from providers.vonage_provider import VonageProvider


def available_sms_providers(settings: Settings) -> list[ProviderName]:
    listed = [name.strip() for name in settings.sms_providers.split(",") if name.strip()]
    unknown = set(listed) - set(PROVIDER_NAMES)
    if unknown:
        raise ValueError(f"unknown SMS providers in sms_providers: {sorted(unknown)}")
    configured = {
        "twilio": True,
        "vonage": settings.uses_sandbox or bool(settings.vonage_api_key),
        "plivo": settings.uses_sandbox or bool(settings.plivo_auth_id),
    }
    return [name for name in PROVIDER_NAMES if name in listed and configured[name]]


def build_sms_providers(
    settings: Settings, *, only: Collection[ProviderName] = PROVIDER_NAMES
) -> dict[ProviderName, SmsProvider]:
    """The available providers' adapters (``only`` these). Twilio's opens an aiohttp
    session, so it is built inside a running event loop."""
    builders = {"twilio": TwilioProvider, "vonage": VonageProvider, "plivo": PlivoProvider}
    names = [name for name in available_sms_providers(settings) if name in only]
    return {name: builders[name](settings) for name in names}
