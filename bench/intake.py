"""``python -m bench.intake``: a seasonal spike at the intake, and what came of every event.

Starts the embedded stack (Temporal dev server, sandbox, HTTP service with the intake's
dispatcher, one worker) on free ports with a throwaway data folder, then offers ``--rate``
requests a second for ``--duration`` seconds (default 200/s for 60 s, ten times a normal
rate) from every source (bench/intake_sources.py, bench/intake_carriers.py): new orders,
their next steps, redeliveries of requests already acknowledged (the same webhook id or
event id again), ``--malformed`` of payloads nobody can be told of, and every
``--probe-every`` seconds a carrier's "out for delivery" for an order that shipped. It
then waits for the drain and checks every order's workflow and the SMS at the sandbox.
Prints one JSON object on stdout (progress on stderr): acknowledged, p50/p99
acknowledgement time, lost (must be 0), duplicates (0), dead letters (exactly the
malformed), 429s, the time to drain and the time from a carrier's status change to the
customer's SMS. bench/README.md says how to read it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from bench.intake_carriers import (
    ACCOUNT,
    AFTERSHIP_SECRET,
    EASYPOST_SECRET,
    AfterShipSource,
    EasyPostSource,
)
from bench.intake_load import Answer, Load, Mix
from bench.intake_sources import (
    API_TOKEN,
    SHOPIFY_SECRET,
    SHOPIFY_SHOP,
    CarrierSource,
    GenericSource,
    OrderSource,
    ShopifySource,
)
from bench.intake_verify import carrier_to_sms, check_delivered, watch_drain
from bench.measure import percentiles
from bench.stack_setup import NEUTRAL_POLICY, _stop_on_sigterm, bench_settings, progress
from config.settings import Settings
from devstack.stack import Stack
from privacy.sealed import Sealer
from starter.client import connect
from store.repository import Store

PROBE_EVERY = 5.0  # seconds between two carrier updates (--quick: 2)
CARRIER_TARGET_SECONDS = 600.0  # the documents' "first update in under 10 minutes"

# Every source the benchmark can offer, by name. What a source can do decides its part: an
# order source starts and ships orders, a carrier reports "out for delivery" (Shopify does
# both, with its fulfillment events).
SOURCES: dict[str, type[GenericSource | ShopifySource | EasyPostSource | AfterShipSource]] = {
    "generic": GenericSource,
    "shopify": ShopifySource,
    "easypost": EasyPostSource,
    "aftership": AfterShipSource,
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rate", type=float, help="requests/s offered (200; --quick 20)")
    parser.add_argument("--duration", type=float, help="seconds of load (60; --quick 10)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: smaller defaults")
    parser.add_argument("--malformed", type=float, default=0.05, help="share of bad payloads")
    parser.add_argument("--redeliveries", type=float, default=0.05, help="share re-sent")
    parser.add_argument("--steps", type=float, default=0.25, help="share that ship an order")
    parser.add_argument(
        "--probe-every", type=float, default=PROBE_EVERY, help="s between carrier updates"
    )
    parser.add_argument("--sources", default=",".join(SOURCES), help="comma separated")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight")
    parser.add_argument("--dispatch-rate", type=float, default=None, help="intake_dispatch_rate")
    parser.add_argument("--max-backlog", type=int, default=None, help="intake_max_backlog")
    parser.add_argument("--max-retry-after", type=float, default=30.0, help="cap on a 429 wait")
    parser.add_argument("--stall", type=float, default=120.0, help="s without progress: stop")
    parser.add_argument("--keep-data", action="store_true", help="keep data and logs")
    options = parser.parse_args(argv)
    # --quick changes the defaults only: what was asked for explicitly stands.
    defaults = (
        {"rate": 20.0, "duration": 10.0} if options.quick else {"rate": 200.0, "duration": 60.0}
    )
    for name, value in defaults.items():
        if getattr(options, name) is None:
            setattr(options, name, value)
    if options.quick and options.probe_every == PROBE_EVERY:
        options.probe_every = 2.0
    unknown = set(options.sources.split(",")) - set(SOURCES)
    if unknown:
        parser.error(f"unknown sources: {', '.join(sorted(unknown))} (known: {', '.join(SOURCES)})")
    return options


# What the stack checks each source's requests with: the sources sign and send with these.
SENDER_CREDENTIALS = {
    "api_tokens": SecretStr(API_TOKEN),
    "shopify_webhook_secrets": SecretStr(f"{SHOPIFY_SHOP}:{SHOPIFY_SECRET}"),
    "easypost_webhook_secrets": SecretStr(f"{ACCOUNT}:{EASYPOST_SECRET}"),
    "aftership_webhook_secrets": SecretStr(f"{ACCOUNT}:{AFTERSHIP_SECRET}"),
}


def intake_settings(root: Path, options: argparse.Namespace) -> Settings:
    settings = bench_settings(root, callback_delay=0.2, workflow_sandbox=False)
    update: dict[str, Any] = dict(SENDER_CREDENTIALS)
    if options.dispatch_rate is not None:
        update["intake_dispatch_rate"] = options.dispatch_rate
    if options.max_backlog is not None:
        update["intake_max_backlog"] = options.max_backlog
    return settings.model_copy(update=update)


def ms(values: list[float]) -> dict[str, float | None]:
    return percentiles([v * 1000 for v in values])


async def run(options: argparse.Namespace, settings: Settings, store: Store) -> dict[str, Any]:
    names = options.sources.split(",")
    made = [SOURCES[name]() for name in names]
    orders: list[OrderSource] = [s for s in made if isinstance(s, GenericSource | ShopifySource)]
    carriers: list[CarrierSource] = [
        s for s in made if isinstance(s, ShopifySource | EasyPostSource | AfterShipSource)
    ]
    if not orders:
        raise SystemExit("--sources needs an order source (generic or shopify) to start orders")
    mix = Mix(
        orders,
        carriers,
        malformed_share=options.malformed,
        redelivery_share=options.redeliveries,
        step_share=options.steps,
        probe_every=options.probe_every,
    )
    limits = httpx.Limits(max_connections=options.concurrency)
    async with (
        httpx.AsyncClient(
            base_url=settings.effective_public_base_url, timeout=60, limits=limits
        ) as http,
        httpx.AsyncClient(base_url=settings.sandbox_base_url, timeout=120) as sandbox,
    ):
        load = Load(http, options.concurrency, options.max_retry_after)
        progress(f"offering {options.rate:g}/s for {options.duration:g} s from {', '.join(names)}")
        began = time.monotonic()
        await load.offer(mix, options.rate, options.duration)
        answers = load.answers
        last_ack = max((a.answered_at for a in answers if a.answered_at), default=time.monotonic())
        progress(f"all {len(answers)} answered after {last_ack - began:.1f} s; draining")
        expected_sms = sum(len(set(o.milestones)) for o in mix.orders)
        drain = await watch_drain(
            store, expected_sms, last_ack, options.stall, max_seconds=max(600.0, expected_sms / 2)
        )
        progress(f"drain: {asdict(drain)}; reading {len(mix.orders)} workflows")
        client = await connect(settings)
        delivered, messages = await check_delivered(client, sandbox, mix.orders)
    probes = [a for a in answers if a.offer.kind == "carrier"]
    return report(options, settings, store, load, answers, drain, delivered, probes, messages)


def report(
    options: argparse.Namespace,
    settings: Settings,
    store: Store,
    load: Load,
    answers: list[Answer],
    drain: Any,
    delivered: Any,
    probes: list[Answer],
    messages: list[dict[str, Any]],
) -> dict[str, Any]:
    acknowledged = [a for a in answers if a.acknowledged]
    malformed = [a for a in answers if a.offer.kind == "malformed"]
    redelivered = [a for a in answers if a.offer.kind == "redelivery"]
    kept_letters = {a.dead_letter for a in malformed if a.dead_letter is not None}
    carrier = carrier_to_sms(probes, delivered, messages)
    by_source: dict[str, int] = {}
    for answer in acknowledged:
        by_source[answer.offer.source] = by_source.get(answer.offer.source, 0) + 1
    figures: dict[str, Any] = {
        "bench": "intake",
        "rate_asked": options.rate,
        "rate_offered": round(load.offered_rate(), 1),
        "duration_s": options.duration,
        "requests": len(answers),
        "acknowledged": len(acknowledged),
        "acknowledged_by_source": by_source,
        "events_accepted": sum(a.accepted for a in answers),
        "ack_ms": ms([a.ack_seconds for a in acknowledged if a.ack_seconds is not None]),
        "unanswered": sum(1 for a in answers if not a.acknowledged),
        "errors": sorted({a.error for a in answers if a.error})[:5],
        "refused_429": sum(a.refusals_429 for a in answers),
        "requests_refused_429_then_acknowledged": sum(1 for a in acknowledged if a.refusals_429),
        "redeliveries": len(redelivered),
        "redeliveries_kept_once": sum(1 for a in redelivered if a.duplicates and not a.accepted),
        "lost": delivered.lost,
        "lost_examples": delivered.lost_examples,
        "duplicates": delivered.duplicate_milestones + delivered.duplicate_sms,
        "duplicate_milestones": delivered.duplicate_milestones,
        "duplicate_sms": delivered.duplicate_sms,
        "stray_sms": delivered.stray_sms,
        "sms_for_unanswered_requests": delivered.sms_for_unanswered,
        "malformed_sent": len(malformed),
        "malformed_dead_lettered": len(kept_letters),
        "dead_letters_open": store.dead_letters.open_count(),
        "inbox_backlog_at_last_ack": drain.backlog_at_last_ack,
        "dispatch_rate": settings.intake_dispatch_rate,
        "max_backlog": settings.intake_max_backlog,
        # The dispatcher signals at most dispatch_rate events a second: what the inbox held
        # at the last acknowledgement takes about this long to signal, whatever else.
        "inbox_at_dispatch_rate_s": round(
            drain.backlog_at_last_ack / settings.intake_dispatch_rate, 1
        ),
        "inbox_empty_s": drain.inbox_empty_seconds,
        # What the dispatcher really managed after the load: one signal at a time, so
        # below dispatch_rate whenever a signal-with-start takes longer than 1/rate.
        "dispatched_per_s_in_drain": round(drain.backlog_at_last_ack / drain.inbox_empty_seconds, 1)
        if drain.inbox_empty_seconds
        else None,
        "drain_s": drain.all_final_seconds,
        "drain_stalled_after_s": drain.stalled_after_seconds,
        "carrier_updates": len(probes),
        "carrier_to_sms_s": {
            k: None if v is None else round(v / 1000, 2) for k, v in ms(carrier).items()
        },
        "carrier_to_sms_measured": len(carrier),
    }
    worst_carrier = figures["carrier_to_sms_s"]["max"]
    figures["targets_met"] = {
        "lost": delivered.lost == 0,
        "duplicates": figures["duplicates"] == 0,
        "dead_letters_exactly_the_malformed": figures["dead_letters_open"] == len(malformed)
        and len(kept_letters) == len(malformed),
        "carrier_to_sms_under_10_min": worst_carrier is not None
        and worst_carrier < CARRIER_TARGET_SECONDS
        and len(carrier) == len([p for p in probes if p.accepted]),
    }
    return figures


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="herald-bench-intake-"))
    settings = intake_settings(root, options)
    stack = Stack(settings, log_dir=root / "logs", extra_env=NEUTRAL_POLICY)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    clean = False
    try:
        progress(f"starting the stack in {root}")
        stack.start()
        store = Store.connect(settings.effective_database_url, Sealer.from_settings(settings))
        try:
            figures = asyncio.run(run(options, settings, store))
        finally:
            store.close()
        print(json.dumps(figures), flush=True)
        clean = True
    except KeyboardInterrupt:
        progress("interrupted")
        return 130
    finally:
        progress("stopping the stack")
        stack.stop()
        if clean and not options.keep_data:
            shutil.rmtree(root, ignore_errors=True)
        else:
            progress(f"data and logs kept in {root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
