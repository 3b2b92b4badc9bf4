"""``herald signal``, ``herald history`` and ``herald demo``: the OMS client from a shell."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from pydantic import ValidationError
from temporalio.service import RPCError, RPCStatusCode

from activities.policy import workflow_policy
from config.settings import get_settings
from domain.events import Customer, MilestoneEvent, Refund, Shipment
from domain.milestones import Kind, Milestone
from starter.client import connect, messaging_history, signal_milestone

DEMO_ORDER = ["confirmed", "shipped", "out_for_delivery", "delivered"]


def add_order_parsers(subparsers: argparse._SubParsersAction) -> None:
    signal = subparsers.add_parser("signal", help="send one milestone event (JSON) to Herald")
    signal.add_argument("file", type=Path, help="a JSON event file, or - for standard input")
    signal.set_defaults(handler=signal_command)

    history = subparsers.add_parser("history", help="an order's or return's messaging timeline")
    history.add_argument("kind", choices=[k.value for k in Kind])
    history.add_argument("reference")
    history.add_argument("--json", action="store_true", help="print the raw JSON")
    history.set_defaults(handler=history_command)

    demo = subparsers.add_parser("demo", help="drive one demo order through every milestone")
    demo.add_argument("--reference", default="demo-1")
    demo.add_argument("--phone", default="+14155550167")
    demo.add_argument("--email", default="ana@example.com")
    demo.set_defaults(handler=demo_command)


def signal_command(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    text = sys.stdin.read() if str(args.file) == "-" else args.file.read_text()
    try:
        event = MilestoneEvent.model_validate_json(text)
    except ValidationError as exc:
        print(f"invalid event, nothing sent:\n{describe(exc)}", file=sys.stderr)
        return 2
    handle = asyncio.run(_signal(event))
    print(f"signalled {event.milestone.value} to workflow {handle}", file=out)
    return 0


def describe(error: ValidationError) -> str:
    """One line per problem, without echoing the values (they may be customers' details)."""
    return "\n".join(
        f"  {'.'.join(str(p) for p in e['loc']) or 'event'}: {e['msg']}"
        for e in error.errors(include_input=False, include_url=False)
    )


async def _signal(event: MilestoneEvent) -> str:
    handle = await signal_milestone(await connect(), event, policy=workflow_policy(get_settings()))
    return handle.id


def history_command(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    try:
        history = asyncio.run(_history(Kind(args.kind), args.reference))
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise
        print(f"no workflow for {args.kind} {args.reference}", file=sys.stderr)
        return 1
    if args.json:
        print(history.model_dump_json(indent=2), file=out)
        return 0
    print(f"{history.kind.value} {history.reference}: {history.state.value}", file=out)
    for m in history.messages:
        statuses = " > ".join(s.status.value for s in m.statuses)
        error = f" error {m.error_code}" if m.error_code else ""
        about = f"reply: {m.purpose}" if m.purpose else m.milestone.value  # a conversation SMS
        print(
            f"  {about:<18} {m.channel.value:<5} {m.recipient:<16} {statuses}{error}",
            file=out,
        )
        print(f"      {m.body[:150]}", file=out)
    for e in history.entries:
        if e.kind.value != "milestone_received":
            print(f"  [{e.kind.value}] {e.detail}", file=out)
    return 0


async def _history(kind: Kind, reference: str):  # type: ignore[no-untyped-def]
    return await messaging_history(await connect(), kind, reference)


def demo_command(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    asyncio.run(_demo(args.reference, args.phone, args.email, out))
    return 0


async def _demo(reference: str, phone: str, email: str, out: TextIO) -> None:
    client = await connect()
    start = datetime.now(UTC)
    customer = Customer(
        name="Ana Souza", phone=phone, email=email, locale="en", time_zone="America/New_York"
    )
    shipment = Shipment(
        carrier="UPS",
        tracking_id="1Z999AA10123456784",
        tracking_url="https://track.herald.example/1Z999AA10123456784",
        estimated_arrival=start + timedelta(days=2),
    )
    for step, milestone in enumerate(DEMO_ORDER):
        event = MilestoneEvent(
            event_id=f"{reference}-{milestone}-{uuid.uuid4().hex[:6]}",
            kind=Kind.ORDER,
            reference=reference,
            milestone=Milestone(milestone),
            occurred_at=start + timedelta(minutes=step),
            customer=customer,
            shipment=shipment,
        )
        handle = await signal_milestone(client, event, policy=workflow_policy(get_settings()))
        print(f"signalled {milestone} to {handle.id}", file=out)
        await asyncio.sleep(1.5)
    print(f"now: herald history order {reference}", file=out)


def example_event() -> str:
    """A complete event, for the README and ``herald signal``."""
    event = MilestoneEvent(
        event_id="oms-evt-1001",
        kind=Kind.RETURN,
        reference="R-1001",
        milestone=Milestone.REFUND_PROCESSED,
        occurred_at=datetime(2026, 3, 14, 15, 0, tzinfo=UTC),
        customer=Customer(
            name="Jonas Weber",
            phone="+4915123456789",
            email="jonas@example.com",
            locale="de",
            time_zone="Europe/Berlin",
        ),
        refund=Refund(amount=Decimal("59.90"), currency="EUR"),
    )
    return json.dumps(event.model_dump(mode="json"), indent=2)
