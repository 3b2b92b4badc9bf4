"""STOP/START/HELP in the 12 shipped languages, and the brand's answers."""

import pytest

from messaging.linter import lint_text
from messaging.locales import parse_tag
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
from tests.helpers.texts import (
    BRAND,
    SHIPPED_LOCALES,
    UCS2_LOCALES,
    opens_with_brand,
    suggested_replies,
)

LANGUAGES = sorted({parse_tag(locale).language for locale in SHIPPED_LOCALES})
UCS2_LANGUAGES = sorted({parse_tag(locale).language for locale in UCS2_LOCALES})
LATIN_LANGUAGES = sorted(set(LANGUAGES) - set(UCS2_LANGUAGES))
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
        ("停止", OUT, "ja"),
        ("配信停止", OUT, "ja"),
        ("配信解除", OUT, "ja"),
        ("ストップ", OUT, "ja"),
        ("開始", IN, "ja"),
        ("再開", IN, "ja"),
        ("ヘルプ", HELP, "ja"),
        ("退订", OUT, "zh"),
        ("取消订阅", OUT, "zh"),
        ("TD", OUT, "zh"),
        ("停止", OUT, "zh"),
        ("订阅", IN, "zh"),
        ("开始", IN, "zh"),
        ("帮助", HELP, "zh"),
        ("إيقاف", OUT, "ar"),
        ("توقف", OUT, "ar"),
        ("إلغاء", OUT, "ar"),
        ("الغاء", OUT, "ar"),
        ("إلغاء الاشتراك", OUT, "ar"),
        ("اشتراك", IN, "ar"),
        ("اشترك", IN, "ar"),
        ("مساعدة", HELP, "ar"),
        ("مساعده", HELP, "ar"),  # final ة written as ه, as on many keyboards
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


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("ＳＴＯＰ", "STOP"),  # full-width Latin from a Japanese or Chinese keyboard
        ("ｓｔｏｐ！", "STOP"),
        ("ｽﾄｯﾌﾟ", "ストップ"),  # half-width katakana
        ("ストップ!", "ストップ"),
        ("「停止」", "停止"),
        ("\u3000停止。", "停止"),  # ideographic space, full stop
        (" 配信 停止 ", "配信停止"),
        ("退订。", "退订"),
        ("“退订”", "退订"),
        ("ｔｄ", "TD"),
        ("Td.", "TD"),
        ("帮助？", "帮助"),
        ("إيقاف.", "ايقاف"),
        ("ايقاف", "ايقاف"),  # alef without its hamza
        ("إيـقـاف", "ايقاف"),  # tatweel
        ("إِيقَاف", "ايقاف"),  # vowel signs
        ("ﺇﻳﻘﺎﻑ", "ايقاف"),  # presentation forms
        ("«إلغاء»", "الغاء"),
        ("إلغاء  الاشتراك!", "الغاءالاشتراك"),
    ],
)
def test_other_scripts_ignore_width_marks_spaces_and_punctuation(text: str, keyword: str) -> None:
    match = classify_reply(text)
    assert match is not None and match.keyword == keyword


@pytest.mark.parametrize(
    "text",
    [
        "配信停止してください",  # "please stop sending": a sentence, for the conversation
        "停止したい",
        "いつ届きますか",
        "ストツプ",  # a different word once the small ッ and the voicing mark are wrong
        "不要停止",
        "我要退订短信",
        "请帮助我",
        "أريد إيقاف الرسائل",
        "أبداً",  # "never": no opt-in however its hamza is spelled
        "شكرا",
        "Stop 停止",  # mixed scripts are not one keyword
    ],
)
def test_sentences_holding_a_keyword_are_not_one(text: str) -> None:
    assert classify_reply(text) is None


@pytest.mark.parametrize(
    "text", ["STOP", "Arrêt", "İPTAL", "çık", "rezygnuję", "stop all", "opt-out", "S.T.O.P"]
)
def test_latin_keywords_keep_their_canonical_spelling(text: str) -> None:
    match = classify_reply(text)
    assert match is not None and match.keyword.isascii() and match.keyword.isupper()


def test_no_word_means_two_things() -> None:
    for intents in _canonical_keywords().values():
        for intent, words in intents.items():
            for other, other_words in intents.items():
                assert intent == other or not words & other_words
    canonical = _canonical_keywords()
    everywhere = {
        word: {intent for lang in canonical.values() for intent, ws in lang.items() if word in ws}
        for lang in canonical.values()
        for ws in lang.values()
        for word in ws
    }
    assert all(len(intents) == 1 for intents in everywhere.values()), everywhere


def _canonical_keywords() -> dict[str, dict[KeywordIntent, set[str]]]:
    """Each keyword as matched: its own classification's canonical form."""
    found: dict[str, dict[KeywordIntent, set[str]]] = {}
    for language, intents in KEYWORDS.items():
        for intent, words in intents.items():
            for word in words:
                match = classify_reply(word)
                assert match is not None and match.intent is intent, (language, word)
                found.setdefault(language, {}).setdefault(intent, set()).add(match.keyword)
    return found


def test_the_answer_follows_the_customer_language_when_the_keyword_exists_in_it() -> None:
    stop = classify_reply("STOP")
    assert stop is not None

    assert reply_language(stop, "fr-FR") == "fr"
    assert reply_language(stop, "ja-JP") == "ja"
    assert reply_language(stop, "zh-Hans") == "zh"
    assert reply_language(stop, "pt-BR") == "pt"
    assert reply_language(stop, "ko") == "en"
    assert reply_language(stop, None) == "en"


@pytest.mark.parametrize(
    ("text", "locale", "language"),
    [
        ("停止", "ja-JP", "ja"),
        ("停止", "zh-Hans", "zh"),
        ("停止", "en", "ja"),  # not an English word: the first language that has it
        ("退订", None, "zh"),
        ("إيقاف", "ar-SA", "ar"),
        ("ＳＴＯＰ", "ar", "ar"),
    ],
)
def test_the_answer_to_a_non_latin_keyword_is_in_its_language(
    text: str, locale: str | None, language: str
) -> None:
    match = classify_reply(text)
    assert match is not None
    assert reply_language(match, locale) == language
    assert reply_text(match.intent, BRAND, language) == REPLIES[language][match.intent].format(
        brand=BRAND.name, support=BRAND.support_contact
    )


def test_help_names_the_brand_its_contact_rates_and_how_to_stop() -> None:
    assert help_text(BRAND) == (
        "Herald Shop: order and return updates. Help: support@herald.example. "
        "Msg&data rates may apply. Reply STOP to opt out."
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("intent", list(KeywordIntent))
def test_every_answer_opens_with_the_brand_and_passes_the_linter(
    language: str, intent: KeywordIntent
) -> None:
    text = reply_text(intent, BRAND, language)

    assert text == REPLIES[language][intent].format(brand=BRAND.name, support=BRAND.support_contact)
    assert opens_with_brand(text), text
    assert lint_text(text, brand_name=BRAND.name) == [], text
    if intent is HELP:
        assert BRAND.support_contact in text


@pytest.mark.parametrize("language", LATIN_LANGUAGES)
@pytest.mark.parametrize("intent", list(KeywordIntent))
def test_latin_script_answers_are_one_gsm7_segment(language: str, intent: KeywordIntent) -> None:
    segments = count_segments(reply_text(intent, BRAND, language))
    assert (segments.encoding, segments.segments) == (Encoding.GSM7, 1)


@pytest.mark.parametrize("language", UCS2_LANGUAGES)
@pytest.mark.parametrize("intent", list(KeywordIntent))
def test_ucs2_answers_are_two_segments_at_most(language: str, intent: KeywordIntent) -> None:
    segments = count_segments(reply_text(intent, BRAND, language))
    assert segments.encoding is Encoding.UCS2
    assert segments.segments <= 2, segments


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_answer_suggests_a_keyword_that_works(language: str) -> None:
    # "Reply STOP to opt out", "Responda INICIAR...", "「停止」と返信": the word must do that.
    suggested = {
        HELP: OUT,
        OUT: IN,
        IN: OUT,
    }
    for intent, expected in suggested.items():
        found = [classify_reply(w) for w in suggested_replies(reply_text(intent, BRAND, language))]
        assert any(
            m is not None and m.intent is expected and language in m.languages for m in found
        ), (language, intent)


def test_every_language_has_every_intent_and_every_answer() -> None:
    assert set(KEYWORDS) == set(REPLIES) == set(LANGUAGES)
    for language in KEYWORDS:
        assert set(KEYWORDS[language]) == set(REPLIES[language]) == set(KeywordIntent)
