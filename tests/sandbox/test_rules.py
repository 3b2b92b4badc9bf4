"""RuleBook: which rule applies to a destination, and that its randomness is reproducible."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sandbox.rules import DestinationRule, RuleBook


def test_most_specific_rule_wins_regardless_of_order() -> None:
    book = RuleBook(
        [
            DestinationRule(to="+15551234567", latency_ms=3),
            DestinationRule(to="*", latency_ms=0),
            DestinationRule(to="+1555*", latency_ms=1),
            DestinationRule(to="+155512*", latency_ms=2),
        ]
    )
    assert book.match("+15551234567").latency_ms == 3  # exact
    assert book.match("+15551299999").latency_ms == 2  # longest prefix
    assert book.match("+15559999999").latency_ms == 1  # shorter prefix
    assert book.match("+447700900123").latency_ms == 0  # default


def test_no_rule_matches_without_a_default() -> None:
    assert RuleBook([DestinationRule(to="+1555*")]).match("+447700900123") is None


def test_star_only_allowed_at_the_end() -> None:
    with pytest.raises(ValidationError):
        DestinationRule(to="+1*555")


def test_failing_final_status_defaults_to_unknown_error_code() -> None:
    assert DestinationRule(to="*", final_status="failed").final_error_code == 30008


def test_fail_first_calls_counts_per_destination() -> None:
    rule = DestinationRule(
        to="+1555*", api_error_status=429, api_error_code=20429, fail_first_calls=2
    )
    book = RuleBook([rule])
    outcomes = [book.api_error_for_call("+15550000001")[1] is not None for _ in range(4)]
    assert outcomes == [True, True, False, False]
    # Another number under the same prefix has its own count.
    assert book.api_error_for_call("+15550000002")[1] is not None


def test_changing_rules_restarts_the_call_counts() -> None:
    rule = DestinationRule(to="+15550000001", api_error_status=500, fail_first_calls=1)
    book = RuleBook([rule])
    assert book.api_error_for_call("+15550000001")[1] is not None
    assert book.api_error_for_call("+15550000001")[1] is None
    book.replace([rule])
    assert book.api_error_for_call("+15550000001")[1] is not None


def _sample(seed: int) -> list[str]:
    rule = DestinationRule(
        to="*", final_status="undelivered", final_error_code=30003, failure_rate=0.5
    )
    book = RuleBook([rule], seed=seed)
    return [book.final_outcome(book.match("+15550000001")).status for _ in range(40)]


def test_same_seed_same_outcomes() -> None:
    first = _sample(seed=7)
    assert first == _sample(seed=7)
    assert set(first) == {"delivered", "undelivered"}  # the rate really mixes outcomes
    assert first != _sample(seed=8)


def test_reset_restores_initial_rules_and_seed() -> None:
    initial = DestinationRule(to="*", latency_ms=5)
    book = RuleBook([initial], seed=3)
    book.replace([DestinationRule(to="*", latency_ms=9)], seed=4)
    book.reset()
    assert book.rules == [initial]
    assert book.seed == 3
