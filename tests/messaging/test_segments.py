"""The segment calculator against known cases and the exact boundaries."""

from __future__ import annotations

import pytest

from messaging.segments import Encoding, count_segments, is_gsm7

GSM7_BASIC_SAMPLE = "@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!\"#¤%&'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà"


def test_pure_gsm7_single_segment() -> None:
    count = count_segments("Your order HS-1 has shipped. Track: https://track.example/1")
    assert count.encoding is Encoding.GSM7
    assert count.segments == 1


def test_every_basic_character_is_one_septet() -> None:
    count = count_segments(GSM7_BASIC_SAMPLE)
    assert count.encoding is Encoding.GSM7
    assert count.units == len(GSM7_BASIC_SAMPLE)


@pytest.mark.parametrize(
    ("length", "segments"), [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)]
)
def test_gsm7_boundaries(length: int, segments: int) -> None:
    assert count_segments("a" * length).segments == segments


@pytest.mark.parametrize("character", list("^{}\\[~]|€\f"))
def test_extension_characters_take_two_septets(character: str) -> None:
    count = count_segments(character)
    assert count.encoding is Encoding.GSM7
    assert count.units == 2


def test_extension_character_pushes_past_160() -> None:
    assert count_segments("a" * 158 + "€").segments == 1  # 160 septets
    assert count_segments("a" * 159 + "€").segments == 2  # 161 septets


def test_escape_pair_never_straddles_two_segments() -> None:
    # 152 septets, then a two-septet '€' that cannot split: it opens segment two.
    text = "a" * 152 + "€" + "a" * 152
    assert count_segments(text).units == 306
    assert count_segments(text).segments == 3


@pytest.mark.parametrize(
    ("length", "segments"), [(70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)]
)
def test_ucs2_boundaries(length: int, segments: int) -> None:
    text = "ł" * length
    count = count_segments(text)
    assert count.encoding is Encoding.UCS2
    assert count.segments == segments


def test_emoji_costs_two_code_units() -> None:
    count = count_segments("Delivered 📦")
    assert count.encoding is Encoding.UCS2
    assert count.units == 12
    assert count.characters == 11


def test_emoji_at_the_ucs2_boundary() -> None:
    assert count_segments("a" * 68 + "📦").segments == 1  # 70 units
    assert count_segments("a" * 69 + "📦").segments == 2  # 71 units


def test_surrogate_pair_never_straddles_two_segments() -> None:
    text = "a" * 66 + "📦" + "a" * 66  # 134 units, but the pair cannot sit at 67-68
    assert count_segments(text).units == 134
    assert count_segments(text).segments == 3


def test_one_non_gsm_character_switches_the_whole_message() -> None:
    latin = "Hi Anna, your parcel is on its way."
    assert count_segments(latin).encoding is Encoding.GSM7
    assert count_segments(latin + " ’").encoding is Encoding.UCS2


@pytest.mark.parametrize(
    "text",
    [
        "山田様、ご注文を発送しました",
        "تم شحن طلبك",
        "Zamówienie wysłane",
        "Paket yolda, Şükrü",
        "Привет",
    ],
)
def test_mixed_and_non_latin_scripts_need_ucs2(text: str) -> None:
    assert not is_gsm7(text)
    assert count_segments(text).encoding is Encoding.UCS2


def test_ucs2_counts_code_units_not_bytes() -> None:
    assert count_segments("日本語").units == 3


def test_gsm7_special_letters_stay_gsm7() -> None:
    assert count_segments("Müller, Ñoño, café à Ørsted, Straße").encoding is Encoding.GSM7
