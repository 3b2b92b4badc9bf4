"""Routing between SMS providers, measured in one sandbox world: ``python -m bench.routing``.

The sandbox plays Twilio, Vonage and Plivo per country (bench/routing_world.py), Twilio is
down for two minutes mid-run, and the same stream of milestones (US and Brazil, one in ten
long enough for two parts) is delivered three ways, each through the real adapters and
official SDKs, with signed reports checked and parsed by the adapters:
(a) Twilio alone: today's Herald, three tries through one provider, then e-mail;
(b) Herald's routing: routing/choose.py on the measurements in a real store, the breakers,
    and routing/failover.py (a second provider only after the first is known failed);
(c) an oracle that knows each route's true rate, price, delay and the outage window.
Prints JSON per country and overall: delivery rate, time to delivery, cost per delivered
message, duplicates delivered (a milestone whose SMS reached the phone twice).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import uvicorn

from bench.routing_hooks import ReportDesk, Tracked, create_hooks_app
from bench.routing_world import (
    DOWN_PROVIDER,
    PREFIX,
    WORLD,
    apply,
    routing_rules,
    true_score,
    twilio_rules,
)
from config.settings import Settings
from messaging.segments import count_segments
from providers.errors import ProviderError
from providers.sms_provider import FAILED_STATUSES, OutboundSms, ProviderName, SmsProvider
from providers.sms_providers import build_sms_providers
from routing.choose import choose_route
from routing.destination import destination_of
from routing.failover import Attempt, AttemptOutcome, next_step
from routing.rules import RoutingRules
from store.migrate import upgrade
from store.repository import Store
from tests.sandbox.conftest import RunningSandbox, free_port, sandbox_settings

SHORT = (
    "Your order {n} has shipped and arrives Thursday. Track it: https://track.herald.example/{n}"
)
LONG = (
    SHORT + " Reply CALL to talk to us, RESCHEDULE to pick another day, or STOP to end texts. " * 2
)


@dataclass(frozen=True)
class Milestone:
    key: str
    country: str
    to: str
    body: str
    parts: int
    due: float  # world seconds after the start


@dataclass
class Result:
    milestone: Milestone
    delivered: bool = False
    seconds: float | None = None
    cost: Decimal = Decimal(0)
    attempts: list[Attempt] = field(default_factory=list)
    tracked: list[Tracked] = field(default_factory=list)  # each accepted attempt's reports

    @property
    def delivered_attempts(self) -> int:
        """Attempts whose every part the provider reported delivered, late ones included."""
        return sum(1 for t in self.tracked if t.parts.status == "delivered")


class Clock:
    def __init__(self, scale: float) -> None:
        self.scale, self.start = scale, time.monotonic()
        self.origin = datetime.now(UTC)

    def world(self) -> float:
        return (time.monotonic() - self.start) / self.scale

    def now(self) -> datetime:
        return self.origin + timedelta(seconds=self.world())

    async def sleep_until(self, world_seconds: float) -> None:
        await asyncio.sleep(max(0.0, (world_seconds - self.world()) * self.scale))


class Strategy:
    name = ""
    tries_per_provider = 1

    def order(self, m: Milestone, clock: Clock) -> Sequence[ProviderName]:
        raise NotImplementedError

    def outage(self, provider: str, m: Milestone, clock: Clock) -> None: ...
    def accepted(self, provider: str, m: Milestone) -> None: ...
    def final(
        self,
        provider: str,
        m: Milestone,
        delivered: bool,
        seconds: float,
        cost: Decimal,
        clock: Clock,
    ) -> None: ...


class TwilioAlone(Strategy):
    name = "twilio_alone"
    tries_per_provider = 3  # sms_max_attempts: then e-mail takes over

    def order(self, m: Milestone, clock: Clock) -> Sequence[ProviderName]:
        return ("twilio",)


class Oracle(Strategy):
    name = "oracle"

    def __init__(self, rules: RoutingRules, outage: tuple[float, float]) -> None:
        self.rules, self.outage_window = rules, outage

    def order(self, m: Milestone, clock: Clock) -> Sequence[ProviderName]:
        down = self.outage_window[0] <= clock.world() < self.outage_window[1]
        ranked = sorted(
            WORLD[m.country],
            key=lambda p: true_score(self.rules, m.country, p, m.parts),
            reverse=True,
        )
        # A provider that is down goes last: by the time the others failed it may be back.
        return sorted(ranked, key=lambda p: down and p == DOWN_PROVIDER)


class HeraldRouting(Strategy):
    name = "herald"

    def __init__(
        self, rules: RoutingRules, store: Store, available: Sequence[ProviderName], seed: int
    ) -> None:
        self.rules, self.store, self.available = rules, store, list(available)
        self.rng = random.Random(seed)
        self.explored = 0

    def order(self, m: Milestone, clock: Clock) -> Sequence[ProviderName]:
        now = clock.now()
        routes = self.store.routes
        choice = choose_route(
            destination_of(m.to),
            rules=self.rules,
            available=self.available,
            stats=routes.stats_for(m.country),
            breakers=routes.breakers_for(m.country),
            now=now,
            rng=self.rng,
            parts=m.parts,
        )
        self.explored += choice.explored
        if choice.probe is not None:
            routes.record_probe(choice.probe, m.country, now=now)
        return choice.order

    def outage(self, provider: str, m: Milestone, clock: Clock) -> None:
        self.store.routes.record_outage(
            provider, m.country, now=clock.now(), settings=self.rules.breaker
        )

    def accepted(self, provider: str, m: Milestone) -> None:
        self.store.routes.record_success(provider, m.country)

    def final(
        self,
        provider: str,
        m: Milestone,
        delivered: bool,
        seconds: float,
        cost: Decimal,
        clock: Clock,
    ) -> None:
        self.store.routes.record_outcome(
            provider,
            m.country,
            "delivered" if delivered else "failed",
            now=clock.now(),
            half_life_seconds=self.rules.half_life_hours * 3600,
            seconds_to_final=seconds,
            cost_usd=cost,
        )


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


def milestones(count: int, duration: float, seed: int) -> list[Milestone]:
    rng = random.Random(seed)
    made = []
    for n in range(count):
        country = "US" if n % 2 == 0 else "BR"
        to = (
            f"{PREFIX[country]}415{rng.randrange(2000000, 9999999)}"
            if country == "US"
            else f"+55119{rng.randrange(10000000, 99999999)}"
        )
        body = (LONG if rng.random() < 0.1 else SHORT).format(n=n)
        made.append(
            Milestone(
                f"bench-{seed}-{n}",
                country,
                to,
                body,
                count_segments(body).segments,
                n * duration / count,
            )
        )
    return made


def summarise(results: list[Result]) -> dict[str, Any]:
    def figures(rows: list[Result]) -> dict[str, Any]:
        delivered = [r for r in rows if r.delivered]
        seconds = [r.seconds for r in delivered if r.seconds is not None]
        cost = sum((r.cost for r in rows), Decimal(0))
        return {
            "milestones": len(rows),
            "delivery_rate": round(len(delivered) / len(rows), 4) if rows else None,
            "mean_seconds_to_delivery": round(statistics.fmean(seconds), 2) if seconds else None,
            "p95_seconds_to_delivery": round(statistics.quantiles(seconds, n=20)[18], 2)
            if len(seconds) > 1
            else None,
            "cost_per_delivered_usd": round(float(cost / len(delivered)), 5) if delivered else None,
            "duplicates_delivered": sum(1 for r in rows if r.delivered_attempts > 1),
            "attempts": sum(len(r.attempts) for r in rows),
            "failovers": sum(1 for r in rows if len({a.provider for a in r.attempts}) > 1),
            "undelivered_after": dict(
                Counter(
                    "/".join(f"{a.provider}:{a.outcome}" for a in r.attempts) or "no route"
                    for r in rows
                    if not r.delivered
                )
            ),
        }

    by_country = {c: figures([r for r in results if r.milestone.country == c]) for c in WORLD}
    return {"overall": figures(results), **by_country}


async def run_strategy(
    strategy: Strategy,
    settings: Settings,
    sandbox: RunningSandbox,
    plan: list[Milestone],
    args: argparse.Namespace,
) -> dict[str, Any]:
    sandbox.reset()
    clock = Clock(args.time_scale)
    outage = (args.outage_start, args.outage_start + args.outage_seconds)
    apply(sandbox.http, scale=args.time_scale, outage=None, seed=args.seed)
    providers = build_sms_providers(settings)
    hooks_port = settings.http_port
    desk = ReportDesk(f"http://127.0.0.1:{hooks_port}", providers)
    server = uvicorn.Server(
        uvicorn.Config(
            create_hooks_app(desk),
            host="127.0.0.1",
            port=hooks_port,
            log_level="warning",
            access_log=False,
        )
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn offers no started event)
        await asyncio.sleep(0.01)

    async def outage_switch() -> None:
        await clock.sleep_until(outage[0])
        await asyncio.to_thread(
            sandbox.http.put, "/sandbox/rules", json=twilio_rules(args.time_scale, down=True)
        )
        await clock.sleep_until(outage[1])
        await asyncio.to_thread(
            sandbox.http.put, "/sandbox/rules", json=twilio_rules(args.time_scale, down=False)
        )

    run = Run(strategy, providers, desk, clock, report_timeout=60.0)
    switch = asyncio.create_task(outage_switch())
    began = time.monotonic()
    await asyncio.gather(*(run.deliver(m) for m in plan))
    await asyncio.sleep(2.0)  # late reports: a delivered SMS after a failover would show here
    switch.cancel()
    server.should_exit = True
    await serving
    for provider in providers.values():
        await provider.close()
    summary = summarise(run.results)
    summary["wall_seconds"] = round(time.monotonic() - began, 1)
    summary["forged_reports_refused"] = desk.forged
    if isinstance(strategy, HeraldRouting):
        summary["explored"] = strategy.explored
    return summary


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.routing", description=__doc__)
    parser.add_argument("--milestones", type=int, default=1200)
    parser.add_argument("--duration", type=float, default=600.0, help="world seconds")
    parser.add_argument("--outage-start", type=float, default=240.0, help="world seconds")
    parser.add_argument("--outage-seconds", type=float, default=120.0)
    parser.add_argument(
        "--time-scale", type=float, default=0.1, help="real seconds per world second"
    )
    parser.add_argument("--seed", type=int, default=17)
    return parser.parse_args(argv)


async def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    settings = sandbox_settings(
        http_port=free_port(), sandbox_smtp_port=0, sms_providers="twilio,vonage,plivo"
    )
    settings = settings.model_copy(
        update={"public_base_url": f"http://127.0.0.1:{settings.http_port}"}
    )
    from sandbox.app import create_sandbox_app

    sandbox = RunningSandbox(create_sandbox_app(settings, seed=args.seed), settings)
    sandbox.start()
    plan = milestones(args.milestones, args.duration, args.seed)
    rules = routing_rules()
    report: dict[str, Any] = {
        "world": {
            c: {p: vars(r) | {"price_usd": str(r.price_usd)} for p, r in routes.items()}
            for c, routes in WORLD.items()
        }
    }
    report["run"] = {k: v for k, v in vars(args).items()}
    try:
        with tempfile.TemporaryDirectory() as directory:
            url = f"sqlite:///{Path(directory) / 'routing.sqlite3'}"
            upgrade(url)
            store = Store.connect(url)
            available = list(build_sms_providers(settings))
            strategies: list[Strategy] = [
                TwilioAlone(),
                HeraldRouting(rules, store, available, args.seed),
                Oracle(rules, (args.outage_start, args.outage_start + args.outage_seconds)),
            ]
            for strategy in strategies:
                report[strategy.name] = await run_strategy(strategy, settings, sandbox, plan, args)
            store.close()
    finally:
        sandbox.stop()
    herald, oracle = report["herald"]["overall"], report["oracle"]["overall"]
    report["targets"] = {
        "herald_delivery_rate_at_least_98.5%": herald["delivery_rate"] >= 0.985,
        "herald_within_one_point_of_oracle": herald["delivery_rate"]
        >= oracle["delivery_rate"] - 0.01,
        "herald_cost_within_10%_of_oracle": herald["cost_per_delivered_usd"]
        <= oracle["cost_per_delivered_usd"] * 1.10,
        "no_duplicates": herald["duplicates_delivered"] == 0,
    }
    return report


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main()), indent=2, default=str))
