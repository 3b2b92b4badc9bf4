"""STOP/START/HELP in nine languages, and the brand's answers."""

import pytest

from messaging.brand import Brand
from messaging.segments import Encoding, count_segments
from policy.keywords import (
    KEYWORDS,
    REPLIES,
    KeywordIntent,
    classify_reply,
    help_text,
    reply_language,
    reply_text,
)

BRAND = Brand(
    name="Herald Shop",
    support_contact="support@herald.example",
    tracking_base_url="https://track.herald.example",
)
OUT, IN, HELP = KeywordIntent.OPT_OUT, KeywordIntent.OPT_IN, KeywordIntent.HELP


@pytest.mark.parametrize(
    "word",
    ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"],
)
def test_the_carriers_english_opt_out_words(word: str) -> None:
    match = classify_reply(word)
    assert match is not None and match.intent is OUT


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("START", IN),
        ("YES", IN),
        ("UNSTOP", IN),
        ("HELP", HELP),
        ("INFO", HELP),
    ],
)
def test_the_carriers_english_opt_in_and_help_words(text: str, intent: KeywordIntent) -> None:
    match = classify_reply(text)
    assert match is not None and match.intent is intent


@pytest.mark.parametrize(
    ("text", "intent", "language"),
    [
        ("baja", OUT, "es"),
        ("Alto", OUT, "es"),
        ("ALTA", IN, "es"),
        ("ayuda", HELP, "es"),
        ("Arrêt", OUT, "fr"),
        ("désabonner", OUT, "fr"),
        ("aide", HELP, "fr"),
        ("Stopp", OUT, "de"),
        ("abmelden", OUT, "de"),
        ("Hilfe", HELP, "de"),
        ("basta", OUT, "it"),
        ("aiuto", HELP, "it"),
        ("sair", OUT, "pt"),
        ("ajuda", HELP, "pt"),
        ("afmelden", OUT, "nl"),
        ("hulp", HELP, "nl"),
        ("rezygnuję", OUT, "pl"),
        ("pomoc", HELP, "pl"),
        ("İPTAL", OUT, "tr"),
        ("çık", OUT, "tr"),
        ("Başla", IN, "tr"),
        ("yardım", HELP, "tr"),
    ],
)
def test_equivalents_in_other_languages(text: str, intent: KeywordIntent, language: str) -> None:
    match = classify_reply(text)

    assert match is not None
    assert match.intent is intent
    assert language in match.languages


@pytest.mark.parametrize(
    "text", ["stop", " Stop ", "STOP.", "stop!!", "\tS.T.O.P\n", "Stop all", "opt-out", "«stop»"]
)
def test_case_spacing_and_punctuation_do_not_matter(text: str) -> None:
    match = classify_reply(text)
    assert match is not None and match.intent is OUT


@pytest.mark.parametrize(
    "text",
    ["", "   ", "?!", "thanks", "stop sending me these please", "when will it arrive", "stopper"],
)
def test_anything_else_is_not_a_keyword(text: str) -> None:
    assert classify_reply(text) is None


def test_no_word_means_two_things() -> None:
    for intents in KEYWORDS.values():
        for intent, words in intents.items():
            for other, other_words in intents.items():
                assert intent == other or not words & other_words
    everywhere = {
        word: {intent for lang in KEYWORDS.values() for intent, ws in lang.items() if word in ws}
        for lang in KEYWORDS.values()
        for ws in lang.values()
        for word in ws
    }
    assert all(len(intents) == 1 for intents in everywhere.values()), everywhere


def test_the_answer_follows_the_customer_language_when_the_keyword_exists_in_it() -> None:
    stop = classify_reply("STOP")
    assert stop is not None

    assert reply_language(stop, "fr-FR") == "fr"
    assert reply_language(stop, "ja") == "en"
    assert reply_language(stop, None) == "en"


def test_help_names_the_brand_its_contact_rates_and_how_to_stop() -> None:
    assert help_text(BRAND) == (
        "Herald Shop: order and return updates. Help: support@herald.example. "
        "Msg&data rates may apply. Reply STOP to opt out."
    )


@pytest.mark.parametrize("language", sorted(REPLIES))
@pytest.mark.parametrize("intent", list(KeywordIntent))
def test_every_answer_is_one_gsm7_segment_naming_the_brand(
    language: str, intent: KeywordIntent
) -> None:
    text = reply_text(intent, BRAND, language)
    segments = count_segments(text)

    assert BRAND.name in text
    assert (segments.encoding, segments.segments) == (Encoding.GSM7, 1), text
    if intent is HELP:
        assert BRAND.support_contact in text


@pytest.mark.parametrize("language", sorted(REPLIES))
def test_every_answer_suggests_a_keyword_that_works(language: str) -> None:
    # "Reply STOP to opt out", "Responda INICIAR...": the suggested word must do that.
    suggested = {
        HELP: OUT,
        OUT: IN,
        IN: OUT,
    }
    for intent, expected in suggested.items():
        words = [w.strip(".,") for w in reply_text(intent, BRAND, language).split()]
        found = [classify_reply(w) for w in words if w.isupper() and len(w) > 2]
        assert any(m is not None and m.intent is expected for m in found), (language, intent)


def test_every_language_has_every_intent_and_every_answer() -> None:
    assert set(KEYWORDS) == set(REPLIES) == {"en", "es", "fr", "de", "it", "pt", "nl", "pl", "tr"}
    for language in KEYWORDS:
        assert set(KEYWORDS[language]) == set(REPLIES[language]) == set(KeywordIntent)
