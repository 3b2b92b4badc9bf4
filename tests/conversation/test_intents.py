"""Replies as customers really type them, in every shipped language."""

from __future__ import annotations

import pytest

from conversation.intents import PHRASES, Intent, IntentKind, classify, normalize, parse_choice
from messaging.locales import parse_tag
from tests.helpers.texts import SHIPPED_LOCALES

RESCHEDULE_REPLIES = [
    ("reschedule pls", None),
    ("Reschedule", None),
    ("RESCHEDULE!!!", None),
    ("reschedual", None),
    ("rescedule please", None),
    ("can we pick another day?", None),
    ("change the delivery date", None),
    ("Reprogramar", "es"),
    ("quiero cambiar la fecha", "es"),
    ("Je voudrais reporter la livraison", "fr"),
    ("reprogrammer svp", "fr"),
    ("Termin ändern", "de"),
    ("verschieben bitte", "de"),
    ("riprogrammare la consegna", "it"),
    ("Reagendar", "pt-BR"),
    ("outro dia por favor", "pt-BR"),
    ("andere dag graag", "nl"),
    ("zmień termin", "pl"),
    ("ertele lütfen", "tr"),
    ("再配達", "ja"),
    ("再配達をお願いします", "ja"),
    ("改期", "zh-Hans"),
    ("能改时间吗", "zh-Hans"),
    ("إعادة جدولة التوصيل", "ar"),
    ("تأجيل", "ar"),
]

CALL_ME_REPLIES = [
    ("call me back", None),
    ("Call me", None),
    ("cal me pls", None),
    ("please call me to reschedule", None),  # a call back beats a reschedule
    ("Llámame por favor", "es"),
    ("rappelez-moi", "fr"),
    ("Rappelez moi SVP", "fr"),
    ("Rückruf bitte", "de"),
    ("ruf mich an", "de"),
    ("Chiamami", "it"),
    ("me liga", "pt-BR"),
    ("bel me terug", "nl"),
    ("zadzwoń proszę", "pl"),
    ("beni arayın", "tr"),
    ("電話ください", "ja"),
    ("折り返しお願いします", "ja"),
    ("给我打电话", "zh-Hans"),
    ("اتصل بي", "ar"),
]

# Sentences: a bare 帮助 or مساعدة is the carriers' HELP keyword (see the keyword test below).
HELP_REPLIES = [
    "I need help",
    "help me please",
    "necesito ayuda",
    "aidez-moi",
    "助けて",
    "我需要帮助",
    "أحتاج مساعدة",
]

NEGATIVES = [
    "thanks",
    "Thank you!",
    "ok",
    "where is my parcel?",
    "don't call me",
    "who called me?",
    "Stop by later",
    "Can I change my address?",
    "helpful, thanks",
    "is it scheduled?",
    "can I change the delivery address?",
    "please deliver to my neighbour",
    "recall",
    "gracias",
    "merci beaucoup",
    "Wann kommt mein Paket?",
    "¿Dónde está mi pedido?",
    "Onde está meu pedido?",
    "Gdzie jest moja paczka?",
    "Kargom nerede?",
    "荷物はどこですか",
    "我的包裹在哪里",
    "أين طلبي",
    "ありがとう",
    "👍",
    "",
    "   ",
    "0",
    "100",
    "a" * 400,
]


@pytest.mark.parametrize(("text", "locale"), RESCHEDULE_REPLIES)
def test_reschedule(text: str, locale: str | None) -> None:
    assert classify(text, locale).kind is IntentKind.RESCHEDULE


@pytest.mark.parametrize(("text", "locale"), CALL_ME_REPLIES)
def test_call_me(text: str, locale: str | None) -> None:
    assert classify(text, locale).kind is IntentKind.CALL_ME


# One reschedule and one call-back request as sentences, per shipped language: the intent
# and the language are found with the customer's locale and without it.
EVERY_LANGUAGE = {
    "en": ("Can you reschedule my delivery?", "Can someone call me back?"),
    "es": ("¿Puedo cambiar la fecha de entrega?", "¿Me pueden llamar?"),
    "fr": ("Je voudrais changer la date de livraison", "Pouvez-vous m'appeler ?"),
    "de": ("Kann ich den Liefertermin ändern?", "Bitte rufen Sie mich an"),
    "it": ("Vorrei spostare la consegna", "Mi chiami per favore"),
    "pt-BR": ("Quero remarcar a entrega", "Podem me ligar?"),
    "nl": ("Kan ik de bezorging verzetten?", "Kunt u mij terugbellen?"),
    "pl": ("Czy mogę zmienić termin dostawy?", "Proszę o telefon"),
    "tr": ("Teslimatı erteleyebilir miyiz?", "Beni arar mısınız?"),
    "ja": ("配達日を変更したいです", "折り返し電話お願いします"),
    "zh-Hans": ("可以换个时间送吗", "请给我打电话"),
    "ar": ("أريد تغيير موعد التوصيل", "أرجو الاتصال بي"),
}


def test_every_shipped_language_has_phrases() -> None:
    assert {parse_tag(locale).language for locale in EVERY_LANGUAGE} == set(PHRASES)
    assert {parse_tag(locale).language for locale in SHIPPED_LOCALES} == set(PHRASES)


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
@pytest.mark.parametrize("hinted", [True, False])
def test_reschedule_and_call_me_in_every_shipped_language(locale: str, hinted: bool) -> None:
    reschedule, call_me = EVERY_LANGUAGE[locale]
    hint = locale if hinted else None
    language = parse_tag(locale).language
    assert classify(reschedule, hint) == Intent(IntentKind.RESCHEDULE, language=language)
    assert classify(call_me, hint) == Intent(IntentKind.CALL_ME, language=language)


@pytest.mark.parametrize("text", HELP_REPLIES)
def test_help_phrases_are_not_consent_keywords(text: str) -> None:
    intent = classify(text)
    assert intent.kind is IntentKind.HELP
    assert not intent.is_consent_keyword


@pytest.mark.parametrize("text", NEGATIVES)
def test_anything_else_is_other(text: str) -> None:
    assert classify(text) == Intent(IntentKind.OTHER)


@pytest.mark.parametrize(
    ("text", "kind", "keyword"),
    [
        ("STOP", IntentKind.STOP, "STOP"),
        ("stop.", IntentKind.STOP, "STOP"),
        ("Arrêt", IntentKind.STOP, "ARRET"),
        ("Abmelden", IntentKind.STOP, "ABMELDEN"),
        ("start", IntentKind.START, "START"),
        ("HELP", IntentKind.HELP, "HELP"),
        ("Ayuda", IntentKind.HELP, "AYUDA"),
        ("配信停止", IntentKind.STOP, "配信停止"),
        ("ｽﾄｯﾌﾟ", IntentKind.STOP, "ストップ"),
        ("退订", IntentKind.STOP, "退订"),
        ("帮助", IntentKind.HELP, "帮助"),
        ("إيقاف", IntentKind.STOP, "ايقاف"),
        ("اشتراك", IntentKind.START, "اشتراك"),
    ],
)
def test_carrier_keywords_come_from_the_policy(text: str, kind: IntentKind, keyword: str) -> None:
    # Each keyword in the language of a customer who would type it.
    locales = ("en", "fr", "de", "es", "ja", "zh-Hans", "ar")
    found = (classify(text, locale) for locale in locales)
    intent = next(each for each in found if each.keyword is not None)
    assert (intent.kind, intent.keyword, intent.is_consent_keyword) == (kind, keyword, True)


def test_keyword_language_follows_the_customer() -> None:
    assert classify("STOP", "fr-FR").language == "fr"
    assert classify("STOP").language == "en"


def test_locale_hint_names_the_language_of_a_shared_phrase() -> None:
    assert classify("Reagendar", "pt-BR").language == "pt"
    assert classify("Reagendar", "es").language == "es"


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("2", 2),
        ("#2", 2),
        (" 2. ", 2),
        ("2)", 2),
        ("option 2", 2),
        ("Option #3", 3),
        ("opción 1", 1),
        ("no. 2", 2),
        ("2 please", 2),
        ("２番", 2),
        ("第1", 1),
        ("٢", 2),
        ("12", 12),
    ],
)
def test_numbered_choice(text: str, number: int) -> None:
    assert classify(text) == Intent(IntentKind.CHOICE, choice=number)


@pytest.mark.parametrize("text", ["0", "100", "2 or 3", "order 12345", "2pm tomorrow", ""])
def test_not_a_choice(text: str) -> None:
    assert parse_choice(text) is None


def test_normalize_folds_case_accents_and_punctuation() -> None:
    assert normalize("  Rückruf, BITTE!! ") == "ruckruf bitte"
    assert normalize("don't") == "dont"
    assert normalize("Zadzwoń, proszę") == "zadzwon prosze"


def test_an_opt_out_sentence_goes_to_the_consent_store() -> None:
    intent = classify("please stop texting me", "en-US")
    assert (intent.kind, intent.is_consent_keyword) == (IntentKind.STOP, True)


def test_a_possible_opt_out_gets_the_clarifying_question() -> None:
    intent = classify("wrong number", "en-US")
    assert (intent.kind, intent.is_consent_keyword) == (IntentKind.CONFIRM_STOP, True)


def test_a_national_keyword_follows_the_phone_number() -> None:
    assert classify("RET", "en", phone="+905321234567").kind is IntentKind.STOP
    assert classify("RET", "en", phone="+14155550100").kind is not IntentKind.STOP
