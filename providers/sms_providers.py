"""The SMS providers this deployment can use, built once per process from settings.

A provider is available when ``sms_providers`` lists it and it has credentials, or when
Herald runs against the sandbox (no Twilio credentials): real traffic never goes to a
sandbox, nor sandbox credentials to a real provider.
"""

from __future__ import annotations

import importlib
from collections.abc import Collection

from config.settings import Settings
from providers.sms_provider import PROVIDER_NAMES, ProviderName, SmsProvider

# Each adapter is imported only when its provider is available: the Vonage and Plivo SDKs
# cost a worker about 30 MB of memory, which a Twilio-only deployment should not pay.
ADAPTERS: dict[ProviderName, tuple[str, str]] = {
    "twilio": ("providers.twilio_provider", "TwilioProvider"),
    "vonage": ("providers.vonage_provider", "VonageProvider"),
    "plivo": ("providers.plivo_provider", "PlivoProvider"),
}


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
    names = [name for name in available_sms_providers(settings) if name in only]
    return {name: _adapter(name)(settings) for name in names}


def _adapter(name: ProviderName) -> type[SmsProvider]:
    module, cls = ADAPTERS[name]
    adapter: type[SmsProvider] = getattr(importlib.import_module(module), cls)
    return adapter
