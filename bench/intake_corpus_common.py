"""What the intake corpus's builders share (bench/intake_corpus_build.py): the shops of
``tests/corpora/intake/accounts.toml``, Shopify's documented payloads to start from, and
:func:`add`, which labels a case."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "intake" / "payloads" / "shopify"
CORPUS = ROOT / "tests" / "corpora" / "intake"

US = "scarves-and-co.myshopify.com"  # rules: default region US
DE = "kaffeehaus.myshopify.com"  # DE, AT, CH phones only; landlines dropped
FR = "boutique-lumiere.myshopify.com"  # no out-for-delivery or attempted-delivery texts
SHOPS = {US: ("US", "en-US"), DE: ("DE", "de-DE"), FR: ("FR", "fr-FR")}

Payload = dict[str, Any]
cases: list[dict[str, Any]] = []


def fixture(name: str) -> Payload:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def add(
    source: str,
    account: str,
    topic: str,
    name: str,
    expect: str,
    why: str,
    payload: Any,
    order_customer: dict[str, Any] | None = None,
) -> None:
    case_id = f"{source}-{len([c for c in cases if c['source'] == source]) + 1:03d}-{name}"
    case: dict[str, Any] = {"id": case_id, "source": source, "account": account}
    case |= {"topic": topic, "expect": expect, "why": why, "payload": payload}
    if order_customer is not None:
        case["order_customer"] = order_customer
    cases.append(case)


def set_field(payload: Payload, dotted: str, value: Any) -> None:
    *path, last = dotted.split("__")
    for part in path:
        payload = payload[part]
    payload[last] = value


MOBILES = {
    US: ("(415) 555-0123", "+14155550123"),
    DE: ("0151 23456789", "+4915123456789"),
    FR: ("06 12 34 56 78", "+33612345678"),
}


def local_mobile(shop: str) -> str:
    return MOBILES[shop][0]


def e164_mobile(shop: str) -> str:
    return MOBILES[shop][1]


def customer(shop: str, *, phone: bool = True, email: bool = True) -> dict[str, Any]:
    return {
        "name": "Ana",
        "phone": e164_mobile(shop) if phone else None,
        "email": "ana@example.com" if email else None,
        "locale": SHOPS[shop][1],
    }
