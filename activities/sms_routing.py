"""The send activity's side of routing: choose (once per message) and learn.

The route is chosen inside the send activity, on the store's measurements, and kept with
the message (store/message_routes.py), so a retried send takes the same route and the
workflow's history records the choice in the send's result; no extra workflow step. The
activity learns what it sees (an outage opens the breaker, an accept closes it); the HTTP
service counts each message's final outcome (:func:`count_final_outcome`).
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from providers.sms_provider import ProviderName, SmsProvider
from routing.choose import choose_route
from routing.destination import destination_of
from routing.rules import RoutingRules
from routing.senders import sender_for
from store.message_parts import PartsOutcome
from store.message_routes import MessageRoute
from store.repository import Store

FAILED_FINALS = frozenset({"undelivered", "failed"})
DEFAULT_MESSAGES_PER_SECOND = 1.0  # a provider's sender nobody described: a long code's pace


@dataclass(frozen=True)
class SenderPace:
    """A provider's sender as the send limiter keys and paces it."""

    key: str
    messages_per_second: float


class SmsRouter:
    def __init__(
        self,
        store: Store,
        rules: RoutingRules,
        providers: Mapping[ProviderName, SmsProvider],
        rng: random.Random | None = None,
    ) -> None:
        self._store, self._rules, self.providers = store, rules, providers
        self._rng = rng or random.Random()

    @property
    def routes(self) -> bool:
        """More than one provider: routing has something to choose."""
        return len(self.providers) > 1

    async def route_for(self, message_key: str, to: str, parts: int) -> MessageRoute:
        """The message's route: the one kept for it, or a new choice, kept."""
        return await asyncio.to_thread(self._route_for, message_key, to, parts)

    def _route_for(self, message_key: str, to: str, parts: int) -> MessageRoute:
        kept = self._store.message_routes.get(message_key)
        if kept is not None:
            return kept
        destination = destination_of(to)
        country, now = destination.country, datetime.now(UTC)
        choice = choose_route(
            destination,
            rules=self._rules,
            available=list(self.providers),
            stats=self._store.routes.stats_for(country),
            breakers=self._store.routes.breakers_for(country),
            now=now,
            rng=self._rng,
            parts=parts,
        )
        if choice.probe is not None:
            self._store.routes.record_probe(choice.probe, country, now=now)
        scores = json.dumps([s.as_json() for s in choice.scores])
        route = MessageRoute(message_key, country, choice.order, choice.reason, scores)
        return self._store.message_routes.remember(route)

    def pace(self, provider: ProviderName, country: str) -> SenderPace:
        """The limiter's key and pace for the provider's sender to ``country``."""
        identity = (
            sender_for(provider, country, self._rules.senders) if self._rules.senders else None
        )
        if identity is None:
            return SenderPace(f"{provider}:default", DEFAULT_MESSAGES_PER_SECOND)
        return SenderPace(f"{provider}:{identity.value}", identity.pace)

    def sender(self, provider: ProviderName, country: str) -> str | None:
        if self._rules.senders is None:
            return None
        chosen = sender_for(provider, country, self._rules.senders)
        return chosen.value if chosen else None

    async def outage(self, provider: str, country: str) -> None:
        await asyncio.to_thread(
            self._store.routes.record_outage,
            provider,
            country,
            now=datetime.now(UTC),
            settings=self._rules.breaker,
        )

    async def accepted(
        self, key: str, provider: str, country: str, cost_usd: Decimal | None
    ) -> None:
        def write() -> None:
            self._store.routes.record_success(provider, country)
            self._store.message_routes.accepted(key, provider, datetime.now(UTC), cost_usd)
            # A final report that beat the accept (a fast carrier, or the parts' early
            # reports taken at the accept) could not be counted then: the route had no
            # provider yet. It is now; count_outcome's guard keeps it to once.
            final = self._store.statuses.final_of(key)
            if final is not None:
                half_life = self._rules.half_life_hours * 3600
                count_final_outcome(self._store, key, final.status, final.at, half_life)

        await asyncio.to_thread(write)


def count_final_outcome(
    store: Store, message_key: str, status: str, at: datetime, half_life_seconds: float
) -> None:
    """A message's first final status, counted once on its route's measurements."""
    if status != "delivered" and status not in FAILED_FINALS:
        return
    route = store.message_routes.count_outcome(message_key)
    if route is None or route.provider is None:
        return
    seconds = (at - route.accepted_at).total_seconds() if route.accepted_at else None
    store.routes.record_outcome(
        route.provider,
        route.country,
        "delivered" if status == "delivered" else "failed",
        now=at,
        half_life_seconds=half_life_seconds,
        seconds_to_final=max(seconds, 0.0) if seconds is not None else None,
        cost_usd=route.cost_usd,
    )


def take_early_reports(store: Store, outcome: PartsOutcome, now: datetime) -> None:
    """Reports that beat the send's registration of its parts (a slow answer, or a worker
    that died before it): the HTTP service kept them but could not fold them into a
    status. Now that the parts are known, the message's status is recorded from them, so
    the wait for the final report that follows finds it."""
    parts, first = outcome.parts, outcome.first_part
    if parts is None or first is None or parts.status == "queued" or not outcome.changed:
        return
    store.statuses.record(
        first,
        parts.status,
        parts.error_code,
        now,
        message_key=outcome.message_key,
        final=parts.final,
    )
