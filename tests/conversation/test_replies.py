"""Conversation texts: localized, branded, clean and short, in every shipped language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conversation.intents import IntentKind, classify
from conversation.replies import (
    MAX_SLOTS_OFFERED,
    OfferedSlot,
    callback_promise_text,
    handed_to_support_text,
    invalid_choice_text,
    reschedule_confirmation_text,
    slot_offer_text,
    text_language,
)
from messaging.linter import lint_text
from messaging.segments import Encoding, count_segments, is_gsm7
from tests.helpers.texts import (
    BRAND,
    SHIPPED_LOCALES,
    UCS2_LOCALES,
    opens_with_brand,
    suggested_replies,
)

SLOTS = [
    OfferedSlot(datetime(2026, 11, d, h, tzinfo=UTC), datetime(2026, 11, d, h + 3, tzinfo=UTC))
    for d in (21, 22, 23)
    for h in (9, 14)
]
# Every slot across noon: the longest hours in languages that write AM/PM.
LONGEST_SLOTS = [
    OfferedSlot(datetime(2026, 11, d, 9, tzinfo=UTC), datetime(2026, 11, d, 12, tzinfo=UTC))
    for d in (21, 22, 23, 24)
]
LONG_REFERENCE = "ORDER-2026-11-0000001"
LATIN_LOCALES = [locale for locale in SHIPPED_LOCALES if locale not in UCS2_LOCALES]
ZONE = "Europe/Paris"
# UCS-2 segments the offer of MAX_SLOTS_OFFERED slots may take (see MAX_SLOTS_OFFERED).
OFFER_UCS2_SEGMENTS = {"ja": 3, "zh-Hans": 3, "ar": 4}
UCS2_SEGMENTS = 2  # every other conversation text


def all_texts(locale: str, reference: str = "A100") -> list[str]:
    return [
        slot_offer_text(SLOTS, reference=reference, brand=BRAND, locale=locale, time_zone=ZONE),
        slot_offer_text([], reference=reference, brand=BRAND, locale=locale, time_zone=ZONE),
        reschedule_confirmation_text(
            SLOTS[0], reference=reference, brand=BRAND, locale=locale, time_zone=ZONE
        ),
        callback_promise_text(reference=reference, hours=24, brand=BRAND, locale=locale),
        handed_to_support_text(reference=reference, brand=BRAND, locale=locale),
        invalid_choice_text(count=4, brand=BRAND, locale=locale),
    ]


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_every_text_opens_with_the_brand_and_passes_the_linter(locale: str) -> None:
    for text in all_texts(locale):
        assert opens_with_brand(text), text
        assert lint_text(text, brand_name=BRAND.name, ignore=["A100"]) == [], text


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_no_shipped_language_reads_english(locale: str) -> None:
    if locale != "en":
        assert text_language(locale) != "en"
        assert not set(all_texts(locale)) & set(all_texts("en"))


@pytest.mark.parametrize("locale", LATIN_LOCALES)
def test_latin_script_texts_fit_and_keep_their_letters(locale: str) -> None:
    # English, German, Italian and Dutch need no letter outside GSM-7: two segments at
    # most. The others keep á, ç, ł, ş and may need UCS-2: four at most (four slots with
    # a long reference, as Arabic).
    gsm7 = locale.split("-")[0] in ("en", "de", "it", "nl")
    for text in [*all_texts(locale, LONG_REFERENCE), _longest_offer(locale)]:
        assert is_gsm7(text) or not gsm7, text
        assert count_segments(text).segments <= (2 if is_gsm7(text) else 4), text


@pytest.mark.parametrize("locale", sorted(UCS2_LOCALES))
def test_ucs2_texts_stay_within_their_segment_budget(locale: str) -> None:
    _offer, *others = all_texts(locale, LONG_REFERENCE)
    for text in others:
        segments = count_segments(text)
        assert segments.encoding is Encoding.UCS2
        assert segments.segments <= UCS2_SEGMENTS, (segments, text)
    assert count_segments(_longest_offer(locale)).segments <= OFFER_UCS2_SEGMENTS[locale]


def test_four_slots_fit_three_ucs2_segments_except_in_arabic() -> None:
    # What the MAX_SLOTS_OFFERED comment says: keep it true if the texts change.
    spent = {locale: count_segments(_longest_offer(locale)).segments for locale in UCS2_LOCALES}
    assert spent == {"ja": 3, "zh-Hans": 3, "ar": 4}


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_the_call_me_word_offered_when_no_slot_is_free_is_understood(locale: str) -> None:
    no_slots = slot_offer_text([], reference="A100", brand=BRAND, locale=locale, time_zone=ZONE)
    (word,) = suggested_replies(no_slots)
    intent = classify(word, locale)
    assert intent.kind is IntentKind.CALL_ME, word
    assert intent.language == text_language(locale)


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("en-US", "en"),
        ("pt-BR", "pt"),
        ("pt", "pt"),
        ("zh-Hans", "zh"),
        ("zh-CN", "zh"),
        ("ja-JP", "ja"),
        ("ar-SA", "ar"),
        ("it-IT", "it"),
        ("nl-BE", "nl"),
        ("pl", "pl"),
        ("tr-TR", "tr"),
        ("ko-KR", "en"),
        (None, "en"),
    ],
)
def test_text_language(locale: str | None, language: str) -> None:
    assert text_language(locale) == language


def test_the_offer_numbers_the_first_slots_in_the_customer_zone() -> None:
    text = slot_offer_text(
        SLOTS, reference="A100", brand=BRAND, locale="en-US", time_zone="America/New_York"
    )
    assert "1 Sat, Nov 21, 4:00" in text  # 09:00 UTC is 4 AM in New York
    assert f"{MAX_SLOTS_OFFERED} " in text and f"{MAX_SLOTS_OFFERED + 1} " not in text


@pytest.mark.parametrize(
    ("locale", "date"),
    [
        ("ja", "11月21日(土)"),
        ("zh-Hans", "11月21日周六"),
        ("ar", "السبت، 21 نوفمبر"),
        ("pl", "sob"),
    ],
)
def test_dates_are_written_in_the_language_of_the_text(locale: str, date: str) -> None:
    text = reschedule_confirmation_text(
        SLOTS[0], reference="A100", brand=BRAND, locale=locale, time_zone=ZONE
    )
    assert date in text


def test_texts_follow_the_language() -> None:
    assert "te llamaremos" in callback_promise_text(
        reference="A100", hours=24, brand=BRAND, locale="es"
    )
    assert "24時間以内にお電話します" in callback_promise_text(
        reference="A100", hours=24, brand=BRAND, locale="ja"
    )
    assert "within 24 hours" in callback_promise_text(
        reference="A100", hours=24, brand=BRAND, locale="ko"
    )


def _longest_offer(locale: str) -> str:
    return slot_offer_text(
        LONGEST_SLOTS, reference=LONG_REFERENCE, brand=BRAND, locale=locale, time_zone=ZONE
    )
