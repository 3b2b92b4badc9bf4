"""One strategy's delivery of a milestone: attempts through the real adapters, with failover.

Each attempt sends through a provider's adapter, looks up an attempt that may have reached
the provider before re-sending, and waits for the signed delivery reports (or asks the
provider) before ``routing/failover.py`` decides on the next provider.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.routing_hooks import ReportDesk
from bench.routing_plan import Clock, Milestone, Result
from bench.routing_strategies import Strategy
from bench.routing_world import WORLD
from providers.errors import ProviderError
from providers.sms_provider import FAILED_STATUSES, OutboundSms, ProviderName, SmsProvider
from routing.failover import Attempt, AttemptOutcome, next_step


class Run:
    def __init__(
        self,
        strategy: Strategy,
        providers: dict[ProviderName, SmsProvider],
        desk: ReportDesk,
        clock: Clock,
        report_timeout: float,
    ) -> None:
        self.strategy, self.providers, self.desk, self.clock = strategy, providers, desk, clock
        self.report_timeout = report_timeout
        self.results: list[Result] = []

    async def deliver(self, m: Milestone) -> None:
        await self.clock.sleep_until(m.due)
        result, start = Result(m), self.clock.world()
        self.results.append(result)
        order = self.strategy.order(m, self.clock)
        while (step := next_step(order, result.attempts)).action == "send_next":
            assert step.provider is not None
            outcome = await self.attempt(step.provider, m, result, start)
            result.attempts.append(Attempt(step.provider, outcome))
            if outcome == "delivered":
                result.delivered, result.seconds = True, self.clock.world() - start

    async def attempt(
        self, provider: ProviderName, m: Milestone, result: Result, start: float
    ) -> AttemptOutcome:
        adapter = self.providers[provider]
        sms = OutboundSms(f"{m.key}:{provider}", m.to, m.body, self.desk.url_for(provider))
        tries = 0
        while True:
            tries += 1
            sent_at = self.clock.world()
            try:
                sent = await adapter.send(sms)
                break
            except ProviderError as error:
                if error.may_have_reached:  # it may have taken it: look before moving on
                    found = await self._look_up(adapter, sms, sent_at)
                    if found is not None:
                        sent = found
                        break
                if error.outage:
                    self.strategy.outage(provider, m, self.clock)
                    if tries < self.strategy.tries_per_provider:
                        await asyncio.sleep(2.0 * tries * self.clock.scale)  # the retry policy
                        continue
                    return "outage"
                if error.retryable and tries < 6:  # throttled: slow down, same provider
                    await asyncio.sleep(error.retry_after_seconds or 1.0)
                    continue
                return "route_refused"
        self.strategy.accepted(provider, m)
        tracked = self.desk.track(sent)
        result.tracked.append(tracked)
        cost = WORLD[m.country][provider].price_usd * len(sent.part_ids)
        try:
            parts = await asyncio.wait_for(
                asyncio.shield(tracked.final), self.report_timeout * self.clock.scale
            )
        except TimeoutError:
            try:
                status = await adapter.fetch_status(sent.provider_message_id)
            except ProviderError:
                status = "unknown"  # cannot tell: not known failed
            if status not in FAILED_STATUSES:
                result.cost += cost
                return "pending"
            delivered = False
        else:
            delivered = parts.status == "delivered"
        result.cost += cost
        seconds = self.clock.world() - sent_at
        self.strategy.final(provider, m, delivered, seconds, cost, self.clock)
        return "delivered" if delivered else "failed"

    async def _look_up(self, adapter: SmsProvider, sms: OutboundSms, sent_at: float) -> Any:
        """The provider's own record of an attempt that may have reached it (the look-up
        before a re-send); a look-up that fails counts as found nothing."""
        since = self.clock.origin + timedelta(seconds=sent_at) - timedelta(minutes=5)
        try:
            return await adapter.find_sent(sms, min(since, datetime.now(UTC)))
        except ProviderError:
            return None
