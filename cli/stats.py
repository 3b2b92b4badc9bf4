"""``herald stats``: Herald against the user's targets, from the store.

Delivery rate, time to delivery (mean, p95), cost per SMS and per segment, OMS event to
first update, fallback rate and e-mail open rate, each beside its target; the same
figures as the HTTP service's ``/stats`` page (reporting/figures.py defines them).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from cli.errors import INVALID, CliError
from config.settings import get_settings
from reporting.figures import Kpis, compute
from reporting.period import PeriodError
from reporting.presentation import FILTERS, format_figure, stats_filter
from reporting.query import read_messages
from store.database import make_engine


def add_stats_parser(subparsers: argparse._SubParsersAction) -> None:
    stats = subparsers.add_parser("stats", help="delivery, time, cost and opens against targets")
    stats.add_argument(
        "--period", default="7d", help="24h, 7d, 90m, all or FROM..TO in ISO dates (default 7d)"
    )
    stats.add_argument("--merchant")
    stats.add_argument("--country", help="destination country, ISO code (US, DE...)")
    stats.add_argument("--provider", help="twilio, smtp, push")
    stats.add_argument("--milestone")
    stats.add_argument("--channel", choices=["sms", "email", "push"])
    stats.add_argument("--json", action="store_true", help="the figures as JSON")
    stats.add_argument("--database-url", help="default: HERALD_DATABASE_URL's store")
    stats.set_defaults(handler=stats_command)


def stats_command(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    try:
        where = stats_filter(args.period, **{k: getattr(args, k) for k in FILTERS})
    except PeriodError as exc:
        raise CliError(str(exc), INVALID) from exc
    engine = make_engine(args.database_url or get_settings().effective_database_url)
    try:
        kpis = compute(read_messages(engine, where))
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps(kpis.as_json(), indent=2), file=out)
    else:
        print(render(kpis, args.period), file=out)
    return 0


def render(kpis: Kpis, period: str) -> str:
    lines = [
        f"period {period}: {kpis.sms} SMS ({kpis.sms_delivered} delivered, "
        f"{kpis.sms_undelivered} undelivered, {kpis.sms_failed} failed, "
        f"{kpis.sms_pending} pending), {kpis.fallbacks} fallbacks, {kpis.events} OMS events",
        f"  {'figure':<40}{'value':>12}  {'target':<24}meets",
    ]
    for row in kpis.with_targets():
        met = {True: "yes", False: "NO", None: ""}[row["meets_target"]]
        shown = format_figure(row["figure"], row["value"])
        lines.append(f"  {row['figure']:<40}{shown:>12}  {row['target'] or '':<24}{met}".rstrip())
    return "\n".join(lines)
