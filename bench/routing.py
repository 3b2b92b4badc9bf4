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
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import uvicorn

from bench.routing_hooks import ReportDesk, create_hooks_app
from bench.routing_plan import Clock, Milestone, milestones
from bench.routing_report import summarise, targets, world_report
from bench.routing_run import Run
from bench.routing_strategies import HeraldRouting, Oracle, Strategy, TwilioAlone
from bench.routing_world import apply, routing_rules, twilio_rules
from config.settings import Settings
from providers.sms_providers import build_sms_providers
from store.migrate import upgrade
from store.repository import Store
from tests.sandbox.conftest import RunningSandbox, free_port, sandbox_settings


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
    report: dict[str, Any] = {"world": world_report()}
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
    report["targets"] = targets(report)
    return report


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main()), indent=2, default=str))
