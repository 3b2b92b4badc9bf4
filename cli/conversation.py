"""``herald reply``: text Herald as a customer would, through the local sandbox.

The sandbox signs the webhook like Twilio, so this exercises the real inbound path; the
command prints the webhook's immediate answer, then what Herald texted back meanwhile.
"""

from __future__ import annotations

import argparse
import sys
import time
import xml.etree.ElementTree as ElementTree
from typing import TextIO

import httpx

from config.settings import Settings, get_settings

WAIT_FOR_ANSWERS_SECONDS = 5.0


def add_reply_parser(subparsers: argparse._SubParsersAction) -> None:
    reply = subparsers.add_parser(
        "reply", help="text Herald from a phone through the sandbox (dev only)"
    )
    reply.add_argument("phone", help="the customer's number, E.164")
    reply.add_argument("text", help='what the customer texts, e.g. "Reschedule"')
    reply.add_argument("--wait", type=float, default=WAIT_FOR_ANSWERS_SECONDS)
    reply.set_defaults(handler=reply_command)


def reply_command(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    settings = get_settings()
    with httpx.Client(base_url=settings.sandbox_base_url, timeout=15) as sandbox:
        return text_herald(sandbox, settings, args.phone, args.text, args.wait, out)


def text_herald(
    sandbox: httpx.Client, settings: Settings, phone: str, text: str, wait: float, out: TextIO
) -> int:
    before = len(_texts_to(sandbox, phone))
    sent = sandbox.post(
        "/sandbox/inbound",
        json={
            "from": phone,
            "to": settings.sms_sender,
            "body": text,
            "webhook_url": f"{settings.effective_public_base_url.rstrip('/')}/twilio/inbound",
        },
    )
    result = sent.json()
    if result.get("status_code") != 200:
        print(
            f"Herald did not take it: {result.get('status_code') or result.get('error')}", file=out
        )
        return 1
    for answer in twiml_messages(result.get("response_body") or ""):
        print(f"answered at once: {answer}", file=out)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        time.sleep(0.5)
        for body in _texts_to(sandbox, phone)[before:]:
            print(f"texted back: {body}", file=out)
            before += 1
    return 0


def twiml_messages(twiml: str) -> list[str]:
    """The texts of a TwiML answer's <Message> elements."""
    if not twiml.strip():
        return []
    return [m.text or "" for m in ElementTree.fromstring(twiml).iter("Message")]


def _texts_to(sandbox: httpx.Client, phone: str) -> list[str]:
    messages = sandbox.get("/sandbox/messages", params={"to": phone}).json()["messages"]
    return [m["body"] for m in messages]
