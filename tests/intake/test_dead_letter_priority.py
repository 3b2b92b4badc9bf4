"""Dead letters ranked by impact: critical milestones first, then the orders the same
failure affects (reasons that differ only in the order they name are one failure), then the
source's error rate, then the latest seen; over HTTP with the figures that ranked them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from intake.source import PRIORITY_CRITICAL, PRIORITY_LOW, PRIORITY_NORMAL
from store.dead_letters import failure_kind
from store.intake_inbox import IntakeRecord
from store.repository import Store
from tests.intake.test_intake_api import TOKEN, service

NOW = datetime.now(UTC)


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        (
            "orders/create for order 4512: no customer",
            "orders/create for order 77: no customer",
            True,
        ),
        ("return R-100 has no status", "return R-7 has no status", True),
        (
            "body is not JSON: line 1 column 9 (char 8)",
            "body is not JSON: line 3 column 1 (char 40)",
            True,
        ),
        ("tag 'Weird' is not in config", "tag 'Odd' is not in config", False),
        ("payload has no valid 'id'", "payload has no valid 'created_at'", False),
        ("shopify for order 1: no customer", "shopify for order 1: no time", False),
    ],
)
def test_reasons_that_differ_only_in_what_names_an_order_are_one_failure(
    one: str, other: str, same: bool
) -> None:
    assert (failure_kind(one) == failure_kind(other)) is same


def keep(
    store: Store,
    reason: str,
    body: bytes,
    priority: int,
    minutes_ago: float = 0,
    account: str = "a",
) -> int:
    at = NOW - timedelta(minutes=minutes_ago)
    return store.dead_letters.keep("generic", account, reason, body, priority, at)


def test_the_list_ranks_priority_then_orders_affected_then_error_rate_then_recency(
    store: Store,
) -> None:
    lone_new = keep(store, "shipped for order 9: no time", b"1", PRIORITY_NORMAL, 1)
    wide = [
        keep(store, f"shipped for order {n}: no customer", b"w%d" % n, PRIORITY_NORMAL, 30)
        for n in range(3)
    ]
    critical = keep(store, "delayed for order 5: no customer", b"c", PRIORITY_CRITICAL, 60)
    low = keep(store, "the body is not JSON", b"{", PRIORITY_LOW, 0)
    on_a_failing_account = keep(store, "shipped: bad zone", b"z", PRIORITY_NORMAL, 50, "b")
    ranked = store.dead_letters.list(20, error_rates={("generic", "b"): 0.5, ("generic", "a"): 0.1})
    ids = [letter.id for letter in ranked]
    assert ids[0] == critical
    assert set(ids[1:4]) == set(wide)  # three orders alike, the older ones still first
    assert ids[4:] == [on_a_failing_account, lone_new, low]  # same reach: the error rate
    assert [r.orders_affected for r in ranked[:5]] == [1, 3, 3, 3, 1]
    assert ranked[4].source_error_rate == 0.5 and ranked[6].source_error_rate == 0.1
    assert [letter.id for letter in store.dead_letters.list(2)] == [critical, ranked[1].id]


def test_closed_letters_affect_no_orders_and_show_only_when_asked(store: Store) -> None:
    fixed = [
        keep(store, f"shipped for order {n}: no customer", b"%d" % n, PRIORITY_NORMAL)
        for n in range(3)
    ]
    for letter in fixed[:2]:
        store.dead_letters.discard(letter, NOW)
    [left] = store.dead_letters.list(10)
    assert (left.id, left.orders_affected) == (fixed[2], 1)
    assert len(store.dead_letters.list(10, include_closed=True)) == 3


def test_the_http_list_says_why_each_letter_ranks_where_it_does(
    store: Store, tmp_path: Path
) -> None:
    http = service(store, tmp_path)
    for n in range(4):  # generic/a: four events this hour, one refused: a fifth
        record = IntakeRecord("generic", "a", f"k{n}", f"o{n}", f"e{n}", b"{}")
        store.intake_inbox.add(record, NOW - timedelta(minutes=5))
    keep(store, "shipped for order 1: no customer", b"x", PRIORITY_NORMAL)
    [row] = http.get("/intake/dead-letters", headers=TOKEN).json()
    assert (row["orders_affected"], row["source_error_rate"]) == (1, 0.2)
