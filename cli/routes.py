"""``herald routes``: per country and provider, what routing measured and would choose now."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any, TextIO


def add_routes_parser(subparsers: argparse._SubParsersAction) -> None:
    routes = subparsers.add_parser(
        "routes", help="SMS routes per country and provider: delivery, cost, breakers"
    )
    routes.add_argument("--json", action="store_true", help="machine-readable output")
    routes.add_argument("--country", action="append", default=[], help="only these (ISO codes)")
    routes.set_defaults(handler=routes_command)


def routes_command(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    from config.settings import get_settings
    from privacy.sealed import Sealer
    from providers.sms_providers import available_sms_providers
    from routing.report import routes_report
    from routing.rules import RoutingRules
    from store.repository import Store

    settings = get_settings()
    rules = RoutingRules.load(settings.routing_rules_path)
    store = Store.connect(settings.effective_database_url, Sealer.from_settings(settings))
    try:
        report = routes_report(
            rules,
            available=available_sms_providers(settings),
            stats=store.routes.all_stats(),
            breakers=store.routes.all_breakers(),
            now=datetime.now(UTC),
            countries=[c.upper() for c in args.country],
        )
    finally:
        store.close()
    if args.country:
        wanted = {c.upper() for c in args.country}
        report = [r for r in report if r["country"] in wanted]
    if args.json:
        json.dump(report, out, indent=2)
        out.write("\n")
    else:
        out.write(render_table(report))
    return 0


def render_table(report: list[dict[str, Any]]) -> str:
    lines = []
    for country in report:
        lines.append(f"{country['country']}: {' > '.join(country['order']) or 'no route'}")
        lines.append(f"  {country['reason']}")
        lines.append(
            f"  {'provider':<8} {'delivery':>8} {'recent':>7} {'s/final':>7} "
            f"{'$/attempt':>9} {'$/deliv.':>9} {'breaker':<9} note"
        )
        for p in country["providers"]:
            lines.append(
                f"  {p['provider']:<8} {p['delivery_rate']:>8.1%} {p['recent_messages']:>7.0f} "
                f"{p['seconds_to_final']:>7.1f} {p['cost_per_attempt_usd'] or '-':>9} "
                f"{p['cost_per_delivered_usd'] or '-':>9} {p['breaker']:<9} {p['excluded'] or ''}"
            )
        lines.append("")
    return "\n".join(lines)
