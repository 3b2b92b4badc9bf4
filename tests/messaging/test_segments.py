"""The segment calculator against known cases and the exact boundaries."""

from __future__ import annotations

import pytest

from messaging.segments import (
    Encoding,
    count_segments,
    graphemes,
    gsm7_septets,
    is_gsm7,
    is_gsm7_character,
    utf16_units,
)

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


# ---- grapheme clusters: never split, as the provider bills -------------------------------


def test_a_letter_and_its_combining_mark_stay_in_one_segment() -> None:
    # 66 units, then e + combining acute (2 units): the pair would straddle units 67-68.
    text = "ł" * 66 + "e\u0301" + "x" * 10
    count = count_segments(text)
    assert count.units == 78
    assert count.segments == 2  # 66 in the first, the pair and the rest in the second
    split_anyway = "ł" * 66 + "ex" + "x" * 10  # same units, no cluster: still 2 by size
    assert count_segments(split_anyway).segments == 2
    exact = "ł" * 67 + "e\u0301" * 33 + "x"  # 67 | 66 + 1 = 67 | ...
    assert count_segments(exact).segments == 2


def test_a_cluster_that_would_straddle_opens_a_new_segment() -> None:
    # 133 units fill two segments but one; the ZWJ family (8 units) at 130 must move on.
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # 3 emoji, 2 ZWJ: 8 units
    text = "ł" * 130 + family
    count = count_segments(text)
    assert count.units == 138
    assert count.segments == 3  # 67 | 63 (the family does not fit in 4) | 8


def test_a_flag_is_one_cluster() -> None:
    flag = "\U0001f1eb\U0001f1f7"  # regional indicators F + R: 4 units, one cluster
    assert count_segments("ł" * 65 + flag + "x").segments == 1  # 70 units
    # 134 units would be two full segments, but the flag cannot be cut: 66 | 4 + 64 > 67.
    assert count_segments("ł" * 66 + flag + "ł" * 64).segments == 3
    assert count_segments("ł" * 67 + flag + "ł" * 63).segments == 2  # 67 | 4 + 63


def test_a_cluster_longer_than_a_segment_fills_on() -> None:
    marks = "a" + "\u0301" * 140  # one cluster of 141 units
    count = count_segments(marks)
    assert count.units == 141
    assert count.segments == 3  # 67 + 67 + 7
    assert count_segments("x" * 10 + marks).segments == 3  # 151 units: 67 + 67 + 17


def test_graphemes_are_user_perceived_characters() -> None:
    assert graphemes("e\u0301a") == ["e\u0301", "a"]
    assert graphemes("") == []


@pytest.mark.parametrize(
    ("units", "segments"),
    [(70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)],
)
def test_ucs2_segment_edges(units: int, segments: int) -> None:
    assert count_segments("ł" * units).segments == segments


@pytest.mark.parametrize(
    ("septets", "segments"),
    [(160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)],
)
def test_gsm7_segment_edges(septets: int, segments: int) -> None:
    count = count_segments("a" * septets)
    assert (count.encoding, count.segments, count.units, count.characters) == (
        Encoding.GSM7,
        segments,
        septets,
        septets,
    )


def test_septets_and_units_of_single_characters() -> None:
    assert gsm7_septets("a") == 1 and gsm7_septets("€") == 2
    assert utf16_units("a") == 1 and utf16_units("\uffff") == 1
    assert utf16_units("\U00010000") == 2
    assert is_gsm7_character("€") and is_gsm7_character("@") and not is_gsm7_character("ł")
    assert is_gsm7("") and not is_gsm7("ał")


def test_a_cluster_exactly_one_segment_long_is_never_split() -> None:
    whole = "a" + "\u0301" * 66  # 67 units: fits one segment exactly
    assert count_segments("x" * 10 + whole + "x" * 57).segments == 3  # 10 | 67 | 57


def test_text_after_an_oversized_cluster_continues_where_it_ended() -> None:
    marks = "a" + "\u0301" * 140  # 141 units: 67 + 67 + 7
    assert count_segments(marks + "x" * 60).segments == 3  # 7 + 60 = 67 fills the third
    assert count_segments(marks + "x" * 61).segments == 4
    assert count_segments(marks + "x" * 70).segments == 4
