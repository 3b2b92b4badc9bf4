"""``herald templates lint`` and ``herald templates preview``: templates for people."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from config.messaging import get_messaging_settings
from domain.events import PROBLEM_MILESTONES, Customer, DeliveryProblem
from domain.milestones import Milestone
from domain.phone import region_of
from domain.timeline import Channel
from messaging.checks import CheckReport, check_library
from messaging.pricing import price_per_segment
from messaging.render import RenderedMessage, RenderError, render_message, render_sms_explained
from messaging.samples import SAMPLE_LOCALES, sample_event


def add_templates_parser(subparsers: argparse._SubParsersAction) -> None:
    templates = subparsers.add_parser("templates", help="check and preview message templates")
    commands = templates.add_subparsers(dest="templates_command", required=True)

    lint = commands.add_parser("lint", help="check every template in every locale")
    lint.add_argument("--merchant", help="only this merchant's templates (default: all)")
    lint.add_argument("--json", action="store_true", help="the reports as JSON")
    lint.set_defaults(handler=lint_command)

    preview = commands.add_parser("preview", help="show a rendered message with its cost")
    preview.add_argument("milestone", choices=[m.value for m in Milestone], metavar="MILESTONE")
    preview.add_argument("--locale", default="en", help="the customer's locale (default: en)")
    preview.add_argument("--channel", choices=[c.value for c in Channel], default="sms")
    preview.add_argument("--merchant", help="render with this merchant's overrides")
    preview.add_argument("--name", help="the customer's name (default: a realistic one)")
    preview.add_argument("--first-sms", action="store_true", help="first SMS to the number")
    preview.add_argument("--sparse", action="store_true", help="no shipment, refund or detail")
    preview.add_argument(
        "--problem",
        choices=[p.value for p in DeliveryProblem],
        help="what went wrong (delayed, delivery_attempted and exception only)",
    )
    preview.add_argument("--html", action="store_true", help="also print the e-mail's HTML")
    preview.add_argument("--json", action="store_true", help="the rendered message as JSON")
    preview.set_defaults(handler=preview_command)


def lint_command(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    merchants = [args.merchant] if args.merchant else [None, *_merchants()]
    reports = [check_library(merchant) for merchant in merchants]
    if getattr(args, "json", False):
        print(json.dumps([_report_json(r) for r in reports], indent=2), file=out)
    else:
        for report in reports:
            _print_report(report, out)
    return 1 if any(r.problems for r in reports) else 0


def _report_json(report: CheckReport) -> dict[str, object]:
    return {
        "merchant": report.merchant,
        "templates": report.templates,
        "locales": list(report.locales),
        "renders": report.renders,
        "problems": [str(p) for p in report.problems],
    }


def _merchants() -> list[str]:
    directory = get_messaging_settings().merchant_templates_dir
    if directory is None or not directory.is_dir():
        return []
    return sorted(path.name for path in directory.iterdir() if path.is_dir())


def _print_report(report: CheckReport, out: TextIO) -> None:
    for problem in report.problems:
        print(problem, file=out)
    who = f"merchant {report.merchant}" if report.merchant else "built-in templates"
    verdict = f"{len(report.problems)} problem(s)" if report.problems else "ok"
    print(
        f"{who}: {report.templates} files, {len(report.locales)} locales "
        f"({', '.join(report.locales)}), {report.renders} renders: {verdict}",
        file=out,
    )


def preview_command(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    milestone = Milestone(args.milestone)
    problem = DeliveryProblem(args.problem) if args.problem else None
    if problem and milestone not in PROBLEM_MILESTONES:
        allowed = ", ".join(m.value for m in PROBLEM_MILESTONES)
        print(f"error: --problem is only given with {allowed}", file=sys.stderr)
        return 2
    sample = SAMPLE_LOCALES.get(args.locale, SAMPLE_LOCALES["en"])
    event = sample_event(
        milestone,
        sample.locale,
        name=args.name,
        complete=not args.sparse,
        merchant=args.merchant,
        problem=problem,
    )
    customer = Customer.model_validate({**event.customer.model_dump(), "locale": args.locale})
    event = event.model_copy(update={"customer": customer})
    channel = Channel(args.channel)
    try:
        if channel is Channel.SMS:
            message, encoded = render_sms_explained(event, first_sms_to_number=args.first_sms)
        else:
            message, encoded = render_message(event, channel), None
    except RenderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if getattr(args, "json", False):
        print(message.model_dump_json(indent=2), file=out)
        return 0
    _print_message(message, region_of(customer.phone or ""), args.html, out)
    if encoded is not None and encoded.kept_in_gsm7:
        print("(smart encoding kept this message in GSM-7; as rendered it needed UCS-2)", file=out)
    return 0


def _print_message(message: RenderedMessage, region: str | None, html: bool, out: TextIO) -> None:
    print(f"channel: {message.channel.value}   locale: {message.locale}", file=out)
    if message.channel is Channel.SMS:
        print(
            f"encoding: {message.encoding}   segments: {message.segments}   "
            f"characters: {len(message.text)}   estimated cost: ${message.estimated_cost_usd} "
            f"({region or '?'} at ${price_per_segment(region)}/segment)",
            file=out,
        )
    if message.subject:
        label = "subject" if message.channel is Channel.EMAIL else "title"
        print(f"{label}: {message.subject}", file=out)
    print("-" * 60, file=out)
    print(message.text, file=out)
    if html and message.html:
        print("-" * 60, file=out)
        print(message.html, file=out)
