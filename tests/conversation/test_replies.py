"""Conversation texts: localized, branded, clean and short."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conversation.replies import (
    MAX_SLOTS_OFFERED,
    OfferedSlot,
    callback_promise_text,
    handed_to_support_text,
    invalid_choice_text,
    reschedule_confirmation_text,
    slot_offer_text,
)
from messaging.brand import Brand
from messaging.linter import lint_text
from messaging.segments import count_segments, is_gsm7

BRAND = Brand(
    name="Herald Shop",
    support_contact="support@herald.example",
    tracking_base_url="https://track.herald.example",
)
SLOTS = [
    OfferedSlot(datetime(2026, 11, d, h, tzinfo=UTC), datetime(2026, 11, d, h + 3, tzinfo=UTC))
    for d in (21, 22, 23)
    for h in (9, 14)
]
LOCALES = ["en-US", "es-ES", "fr-FR", "de-DE", "pt-BR", "it-IT", "ja-JP"]


def all_texts(locale: str) -> list[str]:
    zone = "Europe/Paris"
    return [
        slot_offer_text(SLOTS, reference="A100", brand=BRAND, locale=locale, time_zone=zone),
        slot_offer_text([], reference="A100", brand=BRAND, locale=locale, time_zone=zone),
        reschedule_confirmation_text(
            SLOTS[0], reference="A100", brand=BRAND, locale=locale, time_zone=zone
        ),
        callback_promise_text(reference="A100", hours=24, brand=BRAND, locale=locale),
        handed_to_support_text(reference="A100", brand=BRAND, locale=locale),
        invalid_choice_text(count=4, brand=BRAND, locale=locale),
    ]


@pytest.mark.parametrize("locale", LOCALES)
def test_texts_are_branded_clean_gsm7_and_at_most_two_segments(locale: str) -> None:
    for text in all_texts(locale):
        assert lint_text(text, brand_name=BRAND.name, ignore=["A100"]) == [], text
        assert is_gsm7(text), text
        assert count_segments(text).segments <= 2, text


def test_the_offer_numbers_the_first_slots_in_the_customer_zone() -> None:
    text = slot_offer_text(
        SLOTS, reference="A100", brand=BRAND, locale="en-US", time_zone="America/New_York"
    )
    assert "1 Sat, Nov 21, 4:00" in text  # 09:00 UTC is 4 AM in New York
    assert f"{MAX_SLOTS_OFFERED} " in text and f"{MAX_SLOTS_OFFERED + 1} " not in text


def test_texts_follow_the_language() -> None:
    assert "te llamaremos" in callback_promise_text(
        reference="A100", hours=24, brand=BRAND, locale="es"
    )
    assert "within 24 hours" in callback_promise_text(
        reference="A100", hours=24, brand=BRAND, locale="ja"
    )
