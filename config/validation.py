"""Refuse at start a configuration that is unsafe, or that the real provider would reject.

Twilio refuses a status-callback URL that is not a public absolute http(s) URL (21609) and a
``From`` that is not the account's number, short code or Messaging Service: with either,
every single send would fail, one order at a time, long after the deploy. An HTTP service
listening beyond loopback without API tokens would show customer data to anyone. Each is
caught here, with the setting to change, before the worker or the HTTP service starts.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from config.settings import Settings

ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
SHORT_CODE = re.compile(r"^\d{3,8}$")
MESSAGING_SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")
PRIVATE_HOST_SUFFIXES = (".local", ".internal", ".localhost", ".lan", ".home.arpa")


class ConfigurationError(ValueError):
    """The settings cannot work; the message lists every problem found."""


def problems(settings: Settings) -> list[str]:
    """Everything wrong with ``settings``, each naming its variable; empty when fine."""
    # Imported here: api.auth imports config.settings, and config must not need api.
    from api.auth import api_tokens, is_loopback

    found: list[str] = []
    if not api_tokens(settings) and not is_loopback(settings.http_host):
        found.append(
            f"HERALD_HTTP_HOST is {settings.http_host!r}, not loopback, and HERALD_API_TOKENS "
            "is empty: preferences, consent and the codec would answer anyone. Set "
            "HERALD_API_TOKENS (or listen on 127.0.0.1 for development)."
        )
    if settings.uses_sandbox:
        return found
    if not ACCOUNT_SID.match(settings.twilio_account_sid):
        found.append("HERALD_TWILIO_ACCOUNT_SID is not an account SID (AC + 32 hex digits).")
    if not settings.twilio_auth_token.get_secret_value():
        found.append(
            "HERALD_TWILIO_AUTH_TOKEN is empty: with a real account Herald can neither call "
            "the provider nor check its webhooks' signatures."
        )
    sender = settings.sms_sender
    if not (E164.match(sender) or SHORT_CODE.match(sender) or MESSAGING_SERVICE_SID.match(sender)):
        found.append(
            f"HERALD_SMS_SENDER {sender!r} is not an E.164 number, a short code or a "
            "Messaging Service SID (MG + 32 hex digits): Twilio refuses it (21212, 21606)."
        )
    if settings.twilio_api_base_url:
        return found  # a stand-in API on a private network (a staging sandbox) may call back there
    if reason := _not_public(settings.effective_public_base_url):
        found.append(
            f"HERALD_PUBLIC_BASE_URL {settings.effective_public_base_url!r} {reason}: Twilio "
            "refuses such a status-callback URL (21609) on every send. Set it to the public "
            "https URL where Twilio reaches the HTTP service."
        )
    return found


def check(settings: Settings) -> None:
    """Raise :class:`ConfigurationError` listing every problem; silent when fine."""
    if found := problems(settings):
        raise ConfigurationError(
            "Herald's configuration cannot work:\n" + "\n".join(f"- {p}" for p in found)
        )


def _not_public(url: str) -> str | None:
    """Why ``url`` is not a public absolute http(s) URL, or None when it is."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "is not an absolute http(s) URL"
    host = parts.hostname.lower()
    if host == "localhost" or host.endswith(PRIVATE_HOST_SUFFIXES) or "." not in host:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return "names a host that only this network knows"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if not address.is_global:
        return "is a loopback or private address"
    return None
