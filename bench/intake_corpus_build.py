"""Writes the intake corpus (``tests/corpora/intake/*.json``) from Shopify's documented
webhook payloads (the fixtures in tests/intake/payloads/shopify, which follow the Admin
REST examples) and Herald's own event JSON, varied the ways real stores vary them: phones
typed locally, with dots, spaces, extensions or on another address; guest checkouts; no
names; other countries and locales; point-of-sale, draft and test orders; cancelled
fulfillments; statuses no milestone tells.

Each case is labelled by hand with what SHOULD happen and why, from the account's rules in
``tests/corpora/intake/accounts.toml``, never by running the mapping: ``sms`` (kept with a
phone), ``email`` (kept with an e-mail and no phone), ``ignored`` (nothing to tell, not a
failure) or ``refused`` (cannot be notified: a dead letter). ``python -m
bench.intake_corpus_build`` rewrites the files; ``python -m bench.intake_corpus`` judges them.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from bench.intake_corpus_common import CORPUS, ROOT, cases
from bench.intake_corpus_generic import generic
from bench.intake_corpus_orders import shopify_orders
from bench.intake_corpus_shipments import shopify_fulfillment_events, shopify_fulfillments

BUILDERS: dict[str, list[Callable[[], None]]] = {
    "shopify": [shopify_orders, shopify_fulfillments, shopify_fulfillment_events],
    "generic": [generic],
}


def build(source: str) -> list[dict[str, Any]]:
    """The cases of one source, as the file holds them."""
    cases.clear()
    for builder in BUILDERS[source]:
        builder()
    return copy.deepcopy(cases)


def main() -> None:
    for source in BUILDERS:
        path = CORPUS / f"{source}.json"
        built = build(source)
        path.write_text(json.dumps(built, indent=1, ensure_ascii=False) + "\n")
        print(f"{path.relative_to(ROOT)}: {len(built)} cases")


if __name__ == "__main__":
    main()
