"""STOP/START/HELP in the 12 shipped languages, and the brand's answers."""

from pathlib import Path

import pytest

from messaging.linter import lint_text
from messaging.locales import parse_tag
from messaging.segments import Encoding, count_segments
from policy.keyword_table import BY_LANGUAGE, UNIVERSAL
from policy.keywords import (
    KEYWORDS,
    REPLIES,
    KeywordIntent,
    canonical,
    classify_reply,
    customer_language,
    help_text,
    keywords_for,
    reply_language,
    reply_text,
)
from tests.helpers.texts import (
    BRAND,
    SHIPPED_LOCALES,
    opens_with_brand,
    suggested_replies,
)

LANGUAGES = sorted({parse_tag(locale).language for locale in SHIPPED_LOCALES})
GSM7_LANGUAGES = ["de", "en", "es", "fr", "it", "nl"]
OUT, IN, HELP = KeywordIntent.OPT_OUT, KeywordIntent.OPT_IN, KeywordIntent.HELP
CONFIRM = KeywordIntent.CONFIRM_OPT_OUT
TEMPLATES = Path(__file__).resolve().parents[2] / "messaging" / "templates"


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
    match = classify_reply(text, language)

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
    ["", "   ", "?!", "thanks", "stop the delivery", "when will it arrive", "stopper"],
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
    found = [classify_reply(text, locale) for locale in ("ja-JP", "zh-Hans", "ar-SA")]
    assert keyword in {match.keyword for match in found if match and not match.sentence}


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("配信停止してください", "ja"),  # "please stop sending": an opt-out, as a sentence
        ("我要退订短信", "zh-Hans"),
        ("أريد إيقاف الرسائل", "ar"),
        ("please stop texting me", "en"),
    ],
)
def test_sentences_holding_a_keyword_opt_out_as_sentences(text: str, locale: str) -> None:
    match = classify_reply(text, locale)
    assert match is not None and match.intent is OUT and match.sentence
    assert match.keyword == text  # the consent record keeps what the customer wrote


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("停止したい", "ja"),
        ("いつ届きますか", "ja"),
        ("ストツプ", "ja"),  # a different word once the small ッ and the voicing mark are wrong
        ("不要停止", "zh-Hans"),
        ("请帮助我", "zh-Hans"),
        ("أبداً", "ar"),  # "never": no opt-in however its hamza is spelled
        ("شكرا", "ar"),
        ("Stop 停止", "ja"),  # mixed scripts are not one keyword
    ],
)
def test_sentences_holding_a_keyword_are_not_one(text: str, locale: str) -> None:
    assert classify_reply(text, locale) is None


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("STOP", "en"),
        ("Arrêt", "fr"),
        ("İPTAL", "tr"),
        ("çık", "tr"),
        ("rezygnuję", "pl"),
        ("stop all", "en"),
        ("opt-out", "en"),
        ("S.T.O.P", "de"),
    ],
)
def test_latin_keywords_keep_their_canonical_spelling(text: str, locale: str) -> None:
    match = classify_reply(text, locale)
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
                match = classify_reply(word, language)
                assert match is not None and match.intent is intent, (language, word)
                assert not match.sentence, (language, word)
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
        ("退订", None, "zh"),  # nobody's language known: the keyword's own
        ("إيقاف", "ar-SA", "ar"),
        ("ＳＴＯＰ", "ar", "ar"),
        ("STOP", "tr-TR", "tr"),  # the English keyword, answered in Turkish
        ("HELP", "es-MX", "es"),
        ("INFO", "pl", "pl"),
        ("YES", "it-IT", "it"),
        ("START", "zh-Hans", "zh"),
        ("stop texting me", "de-AT", "de"),
    ],
)
def test_the_answer_is_in_the_customer_language_whatever_the_keyword(
    text: str, locale: str | None, language: str
) -> None:
    match = classify_reply(text, locale)
    assert match is not None
    assert reply_language(match, locale) == language
    assert reply_text(match.intent, BRAND, language).removeprefix("\u200f") == REPLIES[language][
        match.intent
    ].format(brand=BRAND.name, support=BRAND.support_contact)


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

    written = REPLIES[language][intent].format(brand=BRAND.name, support=BRAND.support_contact)
    assert text == ("\u200f" + written if language == "ar" else written)
    assert opens_with_brand(text), text
    assert lint_text(text, brand_name=BRAND.name) == [], text
    if intent is HELP:
        assert BRAND.support_contact in text


@pytest.mark.parametrize("language", GSM7_LANGUAGES)
@pytest.mark.parametrize("intent", list(KeywordIntent))
def test_answers_that_need_no_letter_outside_gsm7_are_one_segment(
    language: str, intent: KeywordIntent
) -> None:
    segments = count_segments(reply_text(intent, BRAND, language))
    assert (segments.encoding, segments.segments) == (Encoding.GSM7, 1)


@pytest.mark.parametrize("language", sorted(set(LANGUAGES) - set(GSM7_LANGUAGES)))
@pytest.mark.parametrize("intent", list(KeywordIntent))
def test_answers_spelled_with_their_own_letters_are_two_segments_at_most(
    language: str, intent: KeywordIntent
) -> None:
    # Portuguese, Polish and Turkish keep ã, ą, ş...: never folded to save a segment.
    segments = count_segments(reply_text(intent, BRAND, language))
    assert segments.segments <= 2, segments


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_answer_suggests_a_keyword_that_works(language: str) -> None:
    # "Reply STOP to opt out", "Responda INICIAR...", "「停止」と返信": the word must do that.
    suggested = {HELP: OUT, OUT: IN, IN: OUT, CONFIRM: OUT}
    for intent, expected in suggested.items():
        said = suggested_replies(reply_text(intent, BRAND, language))
        found = [classify_reply(word, language) for word in said]
        assert any(m is not None and m.intent is expected for m in found), (language, intent)


def test_every_language_has_every_intent_and_every_answer() -> None:
    assert set(KEYWORDS) == set(REPLIES) == set(LANGUAGES)
    for language in KEYWORDS:
        assert set(KEYWORDS[language]) == {OUT, IN, HELP}
        assert set(REPLIES[language]) == set(KeywordIntent)


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("SI", "fr-FR"),  # Spanish and Italian "yes" is nobody's opt-in in France
        ("ALTO", "it-IT"),  # "tall" in Italian, "stop" only in Spanish
        ("FIN", "es-ES"),
        ("TD", "en-US"),
        ("T", "en-GB"),
        ("N", "de-DE"),
        ("取消", "ja-JP"),
        ("JA", "es-ES"),
        ("AYUDA", "pt-BR"),
        ("SIM", "it-IT"),
        ("RET", "en-US"),  # Turkish carriers' word: not for a US number
    ],
)
def test_another_languages_word_is_an_ordinary_reply(text: str, locale: str) -> None:
    assert classify_reply(text, locale) is None


@pytest.mark.parametrize(
    ("text", "locale", "phone"),
    [
        ("RET", "en-US", "+905321234567"),  # İYS: Turkey's keyword, whatever the language
        ("ret", "tr-TR", None),
        ("ARRETE", "en-CA", None),  # Canadian carriers' French STOP
        ("Arrête", "fr-CA", None),
        ("ARRET", "en", "+14165550123"),  # a Toronto number
        ("STOP ALLES", "nl-NL", None),
        ("stop alles", "en", "+31612345678"),
        ("解除", "ja-JP", None),
        ("取消", "zh-Hans-CN", None),
        ("T", "zh-Hans", None),
        ("N", "en", "+8613812345678"),
        ("0000", "zh-Hans", None),
    ],
)
def test_national_keywords_apply_in_their_country(
    text: str, locale: str, phone: str | None
) -> None:
    match = classify_reply(text, locale, phone=phone)
    assert match is not None and match.intent is OUT and not match.sentence


def test_an_unknown_language_still_stops_in_any_language_but_starts_only_in_english() -> None:
    for word in ("BAJA", "ARRET", "STOPP", "退订", "إلغاء", "配信停止", "WYPISZ"):
        match = classify_reply(word)
        assert match is not None and match.intent is OUT, word
    for word in ("AYUDA", "SI", "OUI", "订阅", "EVET"):
        assert classify_reply(word) is None, word
    assert keywords_for(None)[IN] == frozenset({"START", "UNSTOP", "YES"})


def test_the_keywords_for_a_customer_are_the_union_of_the_three_tables() -> None:
    found = keywords_for("fr-CA", "+33612345678")  # a Québécois with a French number

    assert {"STOP", "ARRET", "ARRETE", "DESABONNER", "STOPSMS"} <= found[OUT]
    assert {"START", "OUI"} <= found[IN]
    assert "BAJA" not in found[OUT]


def test_customer_language_reads_only_the_shipped_languages() -> None:
    assert customer_language("pt-BR") == "pt"
    assert customer_language("zh-Hans-CN") == "zh"
    assert customer_language("ko-KR") is None
    assert customer_language(None) is None
    assert customer_language("") is None


def test_a_keyword_longer_than_sixteen_letters_is_a_sentence() -> None:
    assert classify_reply("UNSUBSCRIBE", "en") is not None
    long_word = "STOPSTOPSTOPSTOPS"  # 17 letters: nobody's keyword
    assert classify_reply(long_word, "en") is None


def test_a_possible_opt_out_gets_the_question_in_the_customers_language() -> None:
    match = classify_reply("wrong number", "de-DE")
    assert match is not None and match.intent is CONFIRM
    assert reply_language(match, "de-DE") == "de"
    assert "STOP" in reply_text(CONFIRM, BRAND, "de")


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_the_first_sms_opt_out_line_names_a_keyword_herald_accepts(locale: str) -> None:
    line = (TEMPLATES / locale / "sms" / "_opt_out.txt").read_text(encoding="utf-8")
    words = suggested_replies(line)

    assert words, line
    for word in words:
        match = classify_reply(word, locale)
        assert match is not None and match.intent is OUT and not match.sentence, (locale, word)


def test_chinese_texts_name_the_same_keyword_everywhere() -> None:
    line = (TEMPLATES / "zh-Hans" / "sms" / "_opt_out.txt").read_text(encoding="utf-8")
    assert "TD" in line and "STOP" not in line
    for intent in (HELP, IN, CONFIRM):
        assert "回复TD" in reply_text(intent, BRAND, "zh") or "请回复TD" in reply_text(
            intent, BRAND, "zh"
        )


def test_a_sentence_is_recorded_by_its_first_forty_characters_spaces_collapsed() -> None:
    text = "please   stop texting me, I moved and this is no longer my phone at all"
    match = classify_reply(text, "en")
    assert match is not None and match.sentence
    assert match.keyword == "please stop texting me, I moved and this"
    assert len(match.keyword) == 40


def test_an_unshipped_language_is_answered_in_english() -> None:
    assert reply_text(OUT, BRAND, "ko").startswith("Herald Shop: you are unsubscribed")
    assert help_text(BRAND, "xx") == help_text(BRAND)
    match = classify_reply("STOP", "ko-KR")
    assert match is not None and reply_language(match, "ko-KR") == "en"


def test_the_keyword_languages_list_the_customers_first_then_every_other() -> None:
    stop = classify_reply("STOP", "fr-FR")
    assert stop is not None and stop.languages[0] == "fr" and "en" in stop.languages
    stopp = classify_reply("STOPP", None)
    assert stopp is not None and stopp.languages == ("de", "en")
    stop_unknown = classify_reply("STOP", None)
    assert stop_unknown is not None and stop_unknown.languages[0] == "en"


def test_the_countries_come_from_the_locale_and_the_number() -> None:
    from_locale = keywords_for("en-TR")
    from_number = keywords_for("en", "+905321234567")
    neither = keywords_for("en")
    assert "RET" in from_locale[OUT] and "RET" in from_number[OUT]
    assert "RET" not in neither[OUT]
    assert keywords_for("en", "not a number")[OUT] == neither[OUT]


def test_canonical_spelling_of_keywords() -> None:
    assert canonical(" s.t.o.p! ") == "STOP"
    assert canonical("Başla") == "BASLA"
    assert canonical("ｽﾄｯﾌﾟ") == "ストップ"
    assert canonical("إلغاء") == "الغاء"
    assert canonical("") == ""


def test_help_is_answered_in_the_language_asked() -> None:
    assert help_text(BRAND, "de").startswith("Herald Shop: Infos zu Ihren Bestellungen")
    assert help_text(BRAND, "ja").startswith("【Herald Shop】")
    # The language is passed on, not dropped: French HELP is the French text, not English.
    assert help_text(BRAND, "fr") == reply_text(HELP, BRAND, "fr") != help_text(BRAND)


def test_an_english_sentence_is_recorded_in_english_once() -> None:
    match = classify_reply("please stop texting me", "en-US")
    assert match is not None and match.sentence and match.languages == ("en",)
    french = classify_reply("ne m'envoyez plus de SMS", "fr-FR")
    assert french is not None and french.languages == ("fr", "en")


def test_an_unknown_language_reads_sentences_in_every_shipped_language() -> None:
    match = classify_reply("ne m'envoyez plus de SMS", None)
    assert match is not None and match.intent is OUT and match.sentence
    assert classify_reply("ne m'envoyez plus de SMS", "en") is None


def test_the_universal_words_are_in_no_language_table_but_englishs() -> None:
    # So a universal keyword is recorded as English first, whatever the customer's language.
    universal = {canonical(word) for words in UNIVERSAL.values() for word in words}
    assert next(iter(BY_LANGUAGE)) == "en"
    for language, table in BY_LANGUAGE.items():
        if language == "en":
            continue
        assert not universal & {canonical(word) for words in table.values() for word in words}
