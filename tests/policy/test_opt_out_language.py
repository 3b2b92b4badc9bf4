"""Opt-outs written as sentences, near misses, the clarifying question, and the corpus."""

import pytest

from bench.opt_out_corpus import CORPUS, HELD_OUT, LOCALES, load, measure
from policy.opt_out_language import SentenceMeaning, normalize, opt_out_meaning

OUT, MAYBE = SentenceMeaning.OPT_OUT, SentenceMeaning.MAYBE_OPT_OUT


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("please stop texting me", "en"),
        ("Stop it", "en"),
        ("STOP!!!", "en"),
        ("stop 🛑", "en"),
        ("I don't want these texts", "en"),
        ("don't text me again", "en"),
        ("no more messages", "en"),
        ("no me manden más mensajes", "es"),
        ("ne m'envoyez plus de SMS", "fr"),
        ("Bitte keine SMS mehr", "de"),
        ("non voglio più ricevere sms", "it"),
        ("parem de me mandar mensagens", "pt"),
        ("geen sms meer aub", "nl"),
        ("nie chcę więcej SMS-ów", "pl"),
        ("aboneliğimi iptal edin", "tr"),
        ("もう送らないでください", "ja"),
        ("不要再发短信了", "zh"),
        ("لا أريد هذه الرسائل", "ar"),
    ],
)
def test_a_sentence_that_revokes_consent_is_an_opt_out(text: str, language: str) -> None:
    assert opt_out_meaning(text, (language,)) is OUT


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("stop by the house after 5", "en"),
        ("please stop the delivery, I moved", "en"),
        ("can you cancel my order", "en"),
        ("the parcel is at the bus stop", "en"),
        ("end of the street, blue door", "en"),
        ("el mensaje para mi vecino", "es"),
        ("ich habe keine SMS bekommen", "de"),
        ("ik heb geen sms gekregen", "nl"),
        ("siparişimi iptal etmek istiyorum", "tr"),
        ("配達を止めてください", "ja"),
        ("取消订单", "zh"),
        ("إلغاء الطلب", "ar"),
    ],
)
def test_a_near_miss_about_the_order_is_nothing(text: str, language: str) -> None:
    assert opt_out_meaning(text, (language,)) is None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Don't stop sending me updates", "en"),
        ("don't unsubscribe me", "en"),
        ("no me des de baja", "es"),
        ("ne me désabonnez pas", "fr"),
        ("bitte nicht abmelden", "de"),
        ("停止しないでください", "ja"),
        ("不要退订", "zh"),
        ("لا تلغوا الاشتراك", "ar"),
    ],
)
def test_a_negated_opt_out_keeps_consent(text: str, language: str) -> None:
    assert opt_out_meaning(text, (language,)) is not OUT


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("wrong number", "en"),
        ("who is this?", "en"),
        ("número equivocado", "es"),
        ("mauvais numéro", "fr"),
        ("falsche Nummer", "de"),
        ("numero sbagliato", "it"),
        ("número errado", "pt"),
        ("verkeerd nummer", "nl"),
        ("zły numer", "pl"),
        ("yanlış numara", "tr"),
        ("番号間違いです", "ja"),
        ("打错了", "zh"),
        ("رقم خطأ", "ar"),
    ],
)
def test_a_reply_that_might_revoke_consent_asks_once(text: str, language: str) -> None:
    assert opt_out_meaning(text, (language,)) is MAYBE


def test_a_sentence_counts_only_in_the_languages_given() -> None:
    assert opt_out_meaning("ne m'envoyez plus de SMS", ("fr",)) is OUT
    assert opt_out_meaning("ne m'envoyez plus de SMS", ("en",)) is None
    assert opt_out_meaning("please stop texting me", ("fr", "en")) is OUT
    assert opt_out_meaning("please stop texting me", ("xx",)) is None


def test_a_letter_to_support_is_not_read_for_an_opt_out() -> None:
    letter = "stop texting me " + "x" * 385
    assert len(letter) == 401
    assert opt_out_meaning(letter, ("en",)) is None
    assert opt_out_meaning(letter[:400], ("en",)) is OUT


def test_empty_or_punctuation_only_replies_mean_nothing() -> None:
    assert opt_out_meaning("", ("en",)) is None
    assert opt_out_meaning(" ?! ", ("en",)) is None


def test_a_stop_verb_reaches_its_object_four_words_on_and_no_further() -> None:
    assert opt_out_meaning("stop all of your texts", ("en",)) is OUT  # 4 words on
    assert opt_out_meaning("stop and then send more texts", ("en",)) is None  # 5 words on
    assert opt_out_meaning("texts stop", ("en",)) is OUT
    assert opt_out_meaning("texts from you a lot stop", ("en",)) is None  # 5 words before


def test_normalize_folds_case_accents_apostrophes_and_arabic_letter_forms() -> None:
    assert normalize("Ne M’envoyez PLUS!") == "ne menvoyez plus"
    assert normalize("İPTAL ŞİMDİ") == "iptal simdi"
    assert normalize("إلغـاء الرسائل") == "الغاء الرسايل"
    assert normalize("ブロック") == "ブロック"  # kana voicing marks stay


@pytest.mark.parametrize("language", sorted(LOCALES))
@pytest.mark.parametrize("folder", [CORPUS, HELD_OUT], ids=["corpus", "held_out"])
def test_the_corpus_meets_the_targets(language: str, folder: object) -> None:
    figures = measure(language, folder)  # type: ignore[arg-type]

    assert figures.recall >= 0.98, figures.misses
    assert figures.false_opt_outs == 0, figures.misses


def test_the_corpus_is_large_enough_in_every_language() -> None:
    for language in LOCALES:
        sections = load(language)
        assert len(sections["opt_out"]) >= 20, language
        assert len(sections["near_miss"]) >= 6, language
        assert len(sections["ordinary"]) >= 14, language


def test_a_messaging_noun_may_come_three_words_before_the_stop_verb_not_four() -> None:
    assert opt_out_meaning("texts from mom stop", ("en",)) is OUT  # 3 words before
    assert opt_out_meaning("texts from my mother stop", ("en",)) is None  # 4 words before


@pytest.mark.parametrize(
    ("text", "language"), [("やめて ください", "ja"), ("停止 吧", "zh"), ("别 发 了", "zh")]
)
def test_spaces_typed_inside_a_japanese_or_chinese_reply_are_ignored(
    text: str, language: str
) -> None:
    assert opt_out_meaning(text, (language,)) is OUT
