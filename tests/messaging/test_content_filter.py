"""The content filter: categories, obfuscation, context, and its corpus."""

from __future__ import annotations

import pytest

from bench.content_corpus import CORPUS, HELD_OUT, LANGUAGES, load, measure
from messaging.content_filter import findings, readings, skeleton


def rules(text: str) -> set[str]:
    return {finding.rule.rule for finding in findings(text)}


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("v i a g r a", "medical-claim"),  # spaced letters
        ("V1AGRA now", "medical-claim"),  # a digit for a letter
        ("l0ttery winner", "prize-scam"),
        ("You h a v e  w o n", "prize-scam"),  # words spaced out, two spaces between them
        ("bіt.ly/x", "url-shortener"),  # Cyrillic і
        ("bit．ly/abc", "url-shortener"),  # full-width dot
        ("bit。ly/abc", "url-shortener"),  # ideographic full stop
        ("bit (dot) ly/abc", "url-shortener"),
        ("go to bit . ly / x", "url-shortener"),
        ("ＦＲＥＥ ＧＩＦＴ", "prize-scam"),  # full-width letters
        ("Ｖ１ａｇｒａ", "medical-claim"),
        ("pаy the redelivery fee", "phishing"),  # Cyrillic а
        ("B1TC0IN giveaway", "crypto"),
    ],
)
def test_obfuscation_does_not_hide_a_category(text: str, rule: str) -> None:
    assert rule in rules(text)


@pytest.mark.parametrize(
    "text",
    [
        "Your hot glue gun has shipped",
        "Wine rack (oak) out for delivery",
        "Parcel at the Wine Country hub",
        "The Cure - Disintegration (vinyl)",
        "Gün içinde teslim edilecek",  # Turkish "day", not "gun"
        "Le curé a réceptionné le colis",
        "El repartidor vino pero no había nadie",  # "came", not "wine"
        "Entrega prevista sex. 14/03",  # sexta-feira
        "to nie jest Twoja wina",  # Polish "fault"
        "Delivered to the Sydney CBD depot",
        "Votre colis est au relais Tabac de la Gare",
        "Your order 1Z999AA10123456784 ships with UPS",
        "Order HS-2025-0048213 arrives 10:00-13:00",
    ],
)
def test_ordinary_product_place_and_everyday_words_pass(text: str) -> None:
    assert findings(text) == []


def test_a_phrase_allowed_in_context_still_fails_out_of_it() -> None:
    assert "shaft-firearms" in rules("Handgun and glue gun bundle")
    assert "shaft-alcohol" in rules("Wine rack with 6 bottles of red wine")


def test_findings_name_the_line_they_are_on() -> None:
    found = findings("Your order shipped.\nClaim your prize now")
    assert [(f.line, f.rule.rule, f.found) for f in found] == [
        (1, "prize-scam", "claim your prize")
    ]


def test_the_skeleton_keeps_other_scripts_and_folds_look_alikes() -> None:
    assert skeleton("ＳＴＯＰ Çа") == "stop ca"  # full width, cedilla, Cyrillic а
    assert skeleton("退订 إلغاء") == "退订 الغاء"
    assert skeleton("bit . ly") == "bit.ly"
    assert readings("fr33 c@sh") == ["fr33 c@sh", "free cash"]


def test_digits_stay_digits_in_numbers() -> None:
    assert readings("Order 1234 ships") == ["order 1234 ships"]
    assert readings("a1") == ["a1", "ai", "al"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("folder", [CORPUS, HELD_OUT], ids=["corpus", "held_out"])
def test_the_corpus_meets_the_targets(language: str, folder: object) -> None:
    figures = measure(language, folder)  # type: ignore[arg-type]
    assert figures.caught_rate >= 0.9, figures.misses
    assert figures.refused_rate <= 0.02, figures.misses


def test_the_corpus_holds_300_prohibited_and_300_ordinary_texts() -> None:
    prohibited = ordinary = 0
    for language in LANGUAGES:
        for folder in (CORPUS, HELD_OUT):
            sections = load(language, folder)
            prohibited += len(sections["prohibited"]) + len(sections["obfuscated"])
            ordinary += len(sections["ordinary"])
    assert prohibited >= 300 and ordinary >= 300, (prohibited, ordinary)


def test_each_rule_a_line_breaks_is_found_once_however_many_readings_show_it() -> None:
    # "claim your prize" is in both readings (as written and with 0 read as o).
    found = findings("Claim your prize now, payday l0an")
    assert [(f.rule.rule, f.found, f.line) for f in found] == [
        ("prize-scam", "claim your prize", 0),
        ("loans-debt", "payday loan", 0),
    ]


def test_a_false_friend_is_read_as_a_neutral_mark_not_as_the_filtered_word() -> None:
    # Turkish "gün" (day) must not become "gun"; a mark stands where it was.
    assert skeleton("Teslimat 2 gün içinde") == "teslimat 2.icinde"
    assert findings("Teslimat 2 gün içinde, gün ışığında") == []


def test_arabic_stretched_with_tatweel_is_read_as_written_without_it() -> None:
    stretched = "ربحـت في اليـانصيب"  # "you won the lottery", with U+0640 inside two words
    assert skeleton(stretched) == "ربحت في اليانصيب"
    assert [f.found for f in findings(stretched)] == ["ربحت", "يانصيب"]


def test_an_exclamation_mark_inside_a_word_is_read_as_an_i() -> None:
    assert readings("V!AGRA cheap") == ["v!agra cheap", "viagra cheap"]
    assert rules("V!AGRA cheap") == {"medical-claim"}
