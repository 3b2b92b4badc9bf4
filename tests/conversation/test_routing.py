"""Choosing the conversation a reply belongs to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from conversation.routing import (
    MAX_OPTIONS,
    ActiveConversation,
    AskWhichOne,
    NoConversation,
    RouteTo,
    route_reply,
)
from domain.milestones import Kind
from messaging.brand import Brand
from messaging.linter import lint_text
from messaging.segments import count_segments, is_gsm7

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
WINDOW = timedelta(days=7)
BRAND = Brand(
    name="Herald Shop",
    support_contact="support@herald.example",
    tracking_base_url="https://track.herald.example",
)


def conversation(reference: str, hours_ago: float, kind: Kind = Kind.ORDER) -> ActiveConversation:
    return ActiveConversation(
        workflow_id=f"{kind.value}-{reference}",
        kind=kind,
        reference=reference,
        last_message_at=NOW - timedelta(hours=hours_ago),
    )


def route(*conversations: ActiveConversation, locale: str | None = None):  # type: ignore[no-untyped-def]
    return route_reply(conversations, now=NOW, reply_window=WINDOW, brand=BRAND, locale=locale)


def test_one_active_conversation_takes_the_reply() -> None:
    only = conversation("A100", hours_ago=3)
    assert route(only) == RouteTo(only)


def test_conversations_outside_the_window_are_ignored() -> None:
    recent = conversation("A100", hours_ago=3)
    assert route(recent, conversation("OLD1", hours_ago=24 * 8)) == RouteTo(recent)


def test_several_active_conversations_ask_which_one_most_recent_first() -> None:
    older, newer = conversation("A100", 30), conversation("R7", 2, Kind.RETURN)
    outcome = route(older, newer)
    assert isinstance(outcome, AskWhichOne)
    assert outcome.options == (newer, older)
    assert "1 return R7, 2 order A100" in outcome.prompt
    assert outcome.choose(1) == newer
    assert outcome.choose(2) == older
    assert outcome.choose(3) is None
    assert outcome.choose(0) is None


def test_the_same_workflow_twice_is_one_option() -> None:
    first, again = conversation("A100", 30), conversation("A100", 1)
    assert route(first, again) == RouteTo(again)


def test_the_list_is_capped_and_long_references_shortened() -> None:
    many = [conversation(f"ORDER-2026-11-000000{n}", hours_ago=n) for n in range(8)]
    outcome = route(*many)
    assert isinstance(outcome, AskWhichOne)
    assert len(outcome.options) == MAX_OPTIONS
    assert "1 order ...-11-0000000," in outcome.prompt
    assert count_segments(outcome.prompt).segments <= 2


def test_nothing_active_answers_helpfully() -> None:
    outcome = route(conversation("OLD1", hours_ago=24 * 30))
    assert isinstance(outcome, NoConversation)
    assert "support@herald.example" in outcome.reply
    assert "STOP" in outcome.reply


@pytest.mark.parametrize("locale", ["en", "es", "fr-FR", "de-DE", "pt-BR", "ja", "ar", None])
def test_prompts_are_short_gsm7_branded_and_clean(locale: str | None) -> None:
    options = [conversation("A100", 1), conversation("B200", 2), conversation("R7", 3, Kind.RETURN)]
    ask = route(*options, locale=locale)
    nothing = route(locale=locale)
    assert isinstance(ask, AskWhichOne) and isinstance(nothing, NoConversation)
    for text in (ask.prompt, nothing.reply):
        assert is_gsm7(text)
        assert count_segments(text).segments == 1
        assert lint_text(text, brand_name=BRAND.name, ignore=["A100", "B200", "R7"]) == []


@pytest.mark.parametrize(
    ("locale", "word"),
    [
        ("es", "pedido"),
        ("fr", "commande"),
        ("de", "Bestellung"),
        ("pt-BR", "pedido"),
        ("ja", "order"),
    ],
)
def test_prompts_follow_the_customer_language(locale: str, word: str) -> None:
    ask = route(conversation("A100", 1), conversation("B200", 2), locale=locale)
    assert isinstance(ask, AskWhichOne)
    assert f"1 {word} A100" in ask.prompt
