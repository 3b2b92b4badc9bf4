"""A send's way through its providers: which one carries it, and how each is reached.

With several providers the message's route (activities/sms_routing.py, kept with the
message: a retry takes the same) orders them. The send tries them in that order, each
under its own outbox key (routing/keys.py), so each provider sends it at most
once; it moves on to the next at once only when this one certainly did not get it (an
outage before the call reached it) or refused the route. For each provider this module
picks its adapter (Twilio: none, providers/sms.py itself), its sender and pace, and the
callback URL its delivery reports come to; an accept is recorded with the router.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar
from urllib.parse import quote

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.delivery import rejected
from activities.sms_routing import SenderPace, SmsRouter
from config.settings import Settings
from providers.errors import ProviderError
from providers.sms_provider import OutboundSms, SentSms, SmsProvider
from routing.keys import provider_key
from store.message_routes import MessageRoute

# Refusals of the route rather than of the recipient: another provider may carry it.
ROUTE_REFUSALS = frozenset({"403", "29", "15", "21408", "21612", "no-route"})

Sent = TypeVar("Sent")
# One provider's send: (provider, its outbox key, the route) to the send's result.
SendVia = Callable[[str, str, MessageRoute], Awaitable[Sent]]


async def send_along_route(
    router: SmsRouter,
    key: str,
    to: str,
    parts: int,
    provider: str | None,
    send_via: SendVia[Sent],
) -> Sent:
    """Send through the route's providers in turn (``provider``: that one alone)."""
    route = await router.route_for(key, to, parts)
    order = [provider] if provider else list(route.order)
    if not order:
        raise rejected("no-route", route.reason)
    for index, name in enumerate(order):
        try:
            return await send_via(name, provider_key(key, name, order), route)
        except ApplicationError as refused:
            cause = refused.__cause__
            last = index == len(order) - 1
            if last or not isinstance(cause, ProviderError) or not moves_on(cause):
                raise
            if cause.outage:
                await router.outage(name, route.country)
            activity.logger.info("%s for %s: %s; next provider", name, key, cause)
    raise AssertionError("unreachable: the last provider's error is raised")


def moves_on(error: ProviderError) -> bool:
    """Whether the next provider sends at once: an outage that certainly did not reach this
    one, or this provider's refusal of the route."""
    if error.outage and not error.may_have_reached:
        return True
    return not error.retryable and error.code in ROUTE_REFUSALS


@dataclass(frozen=True)
class ProviderLeg:
    """How one provider is called for one message."""

    adapter: SmsProvider | None  # None: Twilio, through providers/sms.py
    outbound: OutboundSms  # what an adapter is handed
    pace: SenderPace | None  # another provider's sender (None: Herald's Twilio sender)


def provider_leg(
    settings: Settings,
    router: SmsRouter | None,
    provider: str,
    key: str,
    to: str,
    body: str,
    route: MessageRoute | None,
) -> ProviderLeg:
    """``provider``'s adapter, sender and pace for the message under outbox key ``key``."""
    # Twilio goes through providers/sms.py itself (its answer window, its look-up).
    adapter = None
    if provider != "twilio" and router is not None:
        adapter = router.providers.get(provider)  # type: ignore[call-overload]
    if provider != "twilio" and adapter is None:
        raise rejected("no-route", f"{provider} is not configured here")
    sender = router.sender(provider, route.country) if router and route else None
    # Another provider's sender keeps its own pace (routing/senders.py).
    pace = router.pace(provider, route.country) if adapter and route else None  # type: ignore[union-attr]
    outbound = OutboundSms(key, to, body, callback_url(settings, provider, key), sender)
    return ProviderLeg(adapter, outbound, pace)


def callback_url(settings: Settings, provider: str, key: str) -> str:
    """Where ``provider`` sends the delivery reports of the message under ``key``."""
    base = settings.effective_public_base_url.rstrip("/")
    quoted = quote(key, safe="")
    return {
        "twilio": f"{base}/twilio/status?message_key={quoted}",
        "plivo": f"{base}/plivo/status?message_key={quoted}",
        "vonage": f"{base}/vonage/delivery",  # the key travels as client-ref
    }.get(provider, f"{base}/{provider}/status")


async def record_accept(
    router: SmsRouter,
    key: str,
    provider: str,
    route: MessageRoute,
    accepted: list[SentSms],
    estimated_cost_usd: Decimal | None,
) -> None:
    """Tell routing the provider took the message, at the price it quoted (else ours)."""
    price = accepted[0].price if accepted and accepted[0].price else None
    cost = price if price is not None else estimated_cost_usd
    await router.accepted(key, provider, route.country, cost)
