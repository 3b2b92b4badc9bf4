"""The intake corpus (tests/corpora/intake) is judged as labelled: a mapping or rule change
that refuses a notifiable payload, or lets an unnotifiable one through, fails here with the
payload's label and what the intake said."""

from __future__ import annotations

import pytest

from bench.intake_corpus import NOTIFIABLE, SOURCES, Figures, Judge, Verdict, load, measure
from bench.intake_corpus_build import build

LABELS = NOTIFIABLE | {"ignored", "refused"}


@pytest.fixture(scope="module")
def judge() -> Judge:
    return Judge()


@pytest.mark.parametrize("source", SOURCES)
def test_every_payload_is_judged_as_labelled(source: str, judge: Judge) -> None:
    figures = measure(source, judge)
    misjudged = [
        f"{v.case_id}: expected {v.expected}, got {v.got} ({v.why}; intake: {v.said})"
        for v in figures.misjudged
    ]
    assert misjudged == []
    assert figures.false_rejects == 0 and figures.false_reject_rate == 0.0


@pytest.mark.parametrize("source", SOURCES)
def test_the_corpus_is_what_its_builder_writes(source: str) -> None:
    assert load(source) == build(source), "run python -m bench.intake_corpus_build"


def test_the_corpus_is_large_and_every_case_says_why() -> None:
    shopify, generic = load("shopify"), load("generic")
    assert len(shopify) >= 150 and len(generic) >= 40
    for case in shopify + generic:
        assert case["expect"] in LABELS and case["why"], case["id"]
    ids = [case["id"] for case in shopify + generic]
    assert len(ids) == len(set(ids))
    # Every outcome and every topic is represented, not only the happy path.
    assert {c["expect"] for c in shopify} == LABELS
    assert {c["topic"] for c in shopify} >= {
        "orders/create",
        "fulfillments/create",
        "fulfillment_events/create",
    }


def test_misjudgements_are_counted_by_kind() -> None:
    """The bench's own arithmetic: refusing a notifiable payload is a false reject, letting
    an unnotifiable one through a false accept, the wrong channel neither."""
    figures = Figures("x")
    figures.verdicts += [
        Verdict("a", "sms", "refused", "", ""),
        Verdict("b", "email", "email", "", ""),
        Verdict("c", "refused", "email", "", ""),
        Verdict("d", "sms", "email", "", ""),
        Verdict("e", "ignored", "refused", "", ""),
    ]
    assert (figures.notifiable, figures.false_rejects, figures.false_accepts) == (3, 1, 1)
    assert figures.false_reject_rate == pytest.approx(1 / 3)
    assert [v.case_id for v in figures.misjudged] == ["a", "c", "d", "e"]
