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
    prompt_language,
    route_reply,
)
from domain.milestones import Kind
from messaging.linter import lint_text
from messaging.segments import Encoding, count_segments, is_gsm7
from policy.keywords import KeywordIntent, classify_reply
from tests.helpers.texts import (
    BRAND,
    SHIPPED_LOCALES,
    UCS2_LOCALES,
    opens_with_brand,
    suggested_replies,
)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
WINDOW = timedelta(days=7)
LATIN_LOCALES = [locale for locale in SHIPPED_LOCALES if locale not in UCS2_LOCALES]


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


def prompts(locale: str | None) -> tuple[str, str, str]:
    """The question with three options, with MAX_OPTIONS long references, and the answer
    when nothing is active."""
    options = [conversation("A100", 1), conversation("B200", 2), conversation("R7", 3, Kind.RETURN)]
    many = [conversation(f"ORDER-2026-11-000000{n}", hours_ago=n) for n in range(MAX_OPTIONS)]
    ask, ask_many, nothing = (
        route(*options, locale=locale),
        route(*many, locale=locale),
        route(locale=locale),
    )
    assert isinstance(ask, AskWhichOne) and isinstance(ask_many, AskWhichOne)
    assert isinstance(nothing, NoConversation)
    return ask.prompt, ask_many.prompt, nothing.reply


@pytest.mark.parametrize("locale", [*SHIPPED_LOCALES, None])
def test_prompts_open_with_the_brand_and_pass_the_linter(locale: str | None) -> None:
    for text in prompts(locale):
        assert opens_with_brand(text), text
        ignore = ["A100", "B200", "R7", "ORDER-2026-11-000000"]
        assert lint_text(text, brand_name=BRAND.name, ignore=ignore) == [], text


@pytest.mark.parametrize("locale", [*LATIN_LOCALES, "fr-FR", "de-DE", "ko", None])
def test_latin_script_prompts_are_short(locale: str | None) -> None:
    # GSM-7 where the language needs no other letter; else UCS-2, its letters kept.
    ask, ask_many, nothing = prompts(locale)
    gsm7 = all(is_gsm7(text) for text in (ask, ask_many, nothing))
    assert gsm7 or (locale or "en").split("-")[0] in ("es", "fr", "pt", "pl", "tr")
    assert count_segments(ask).segments <= (1 if gsm7 else 2)
    assert count_segments(ask_many).segments <= (2 if gsm7 else 4)
    assert count_segments(nothing).segments <= (1 if gsm7 else 2)


@pytest.mark.parametrize("locale", sorted(UCS2_LOCALES))
def test_ucs2_prompts_stay_within_their_budget(locale: str) -> None:
    ask, ask_many, nothing = prompts(locale)
    assert {count_segments(t).encoding for t in (ask, ask_many, nothing)} == {Encoding.UCS2}
    assert count_segments(ask).segments <= 2
    assert count_segments(ask_many).segments <= 3
    assert count_segments(nothing).segments <= 2


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_nothing_active_names_the_support_and_an_opt_out_word_that_works(locale: str) -> None:
    _, _, nothing = prompts(locale)
    assert BRAND.support_contact in nothing
    found = [classify_reply(word) for word in suggested_replies(nothing)]
    assert any(match is not None and match.intent is KeywordIntent.OPT_OUT for match in found)


@pytest.mark.parametrize(
    ("locale", "word", "return_word"),
    [
        ("en", "order", "return"),
        ("es", "pedido", "devolución"),
        ("fr", "commande", "retour"),
        ("de", "Bestellung", "Retoure"),
        ("pt-BR", "pedido", "devolução"),
        ("it-IT", "ordine", "reso"),
        ("nl", "bestelling", "retour"),
        ("pl-PL", "zamówienie", "zwrot"),
        ("tr", "sipariş", "iade"),
        ("ja-JP", "注文", "返品"),
        ("zh-Hans", "订单", "退货"),
        ("zh-CN", "订单", "退货"),
        ("ar", "طلب", "مرتجع"),
        ("ko", "order", "return"),
    ],
)
def test_prompts_follow_the_customer_language(locale: str, word: str, return_word: str) -> None:
    ask = route(conversation("A100", 1), conversation("R7", 2, Kind.RETURN), locale=locale)
    assert isinstance(ask, AskWhichOne)
    assert f"1 {word} A100, 2 {return_word} R7" in ask.prompt


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("pt-BR", "pt"),
        ("zh-Hans", "zh"),
        ("ja-JP", "ja"),
        ("ar-EG", "ar"),
        ("ko", "en"),
        (None, "en"),
    ],
)
def test_prompt_language(locale: str | None, language: str) -> None:
    assert prompt_language(locale) == language
