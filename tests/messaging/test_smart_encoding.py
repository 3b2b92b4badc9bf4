"""Smart encoding: look-alikes folded, names never mangled, UCS-2 only when needed."""

from __future__ import annotations

import pytest

from messaging.segments import Encoding, is_gsm7
from messaging.smart_encoding import fold_lookalikes, fold_to_gsm7, smart_encode


@pytest.mark.parametrize(
    ("typographic", "plain"),
    [
        ("It’s “here”", 'It\'s "here"'),
        ("9:00 – 13:00", "9:00 - 13:00"),
        ("wait…", "wait..."),
        ("R$\u00a01.234,56", "R$ 1.234,56"),
        ("10:00\u202fAM\u2009–\u20092:00\u202fPM", "10:00 AM - 2:00 PM"),
        ("« bonjour »", '" bonjour "'),
        ("zero\u200bwidth", "zerowidth"),
    ],
)
def test_lookalikes_become_gsm7(typographic: str, plain: str) -> None:
    assert fold_lookalikes(typographic) == plain
    assert is_gsm7(plain)


def test_one_curly_quote_no_longer_forces_ucs2() -> None:
    result = smart_encode("Herald Shop: we’re on it.")
    assert result.encoding is Encoding.GSM7
    assert result.text == "Herald Shop: we're on it."
    assert result.kept_in_gsm7 and result.changed


def test_gsm7_text_is_untouched() -> None:
    result = smart_encode("Müller, your parcel is here.")
    assert result.text == "Müller, your parcel is here."
    assert not result.changed and not result.kept_in_gsm7


@pytest.mark.parametrize(
    ("accented", "folded"),
    [
        ("está en camino", "esta en camino"),
        ("Przesyłka", "Przesylka"),
        ("Kargonuz yola çıktı", "Kargonuz yola cikti"),
        ("não", "nao"),
    ],
)
def test_accents_missing_from_gsm7_fold_when_asked(accented: str, folded: str) -> None:
    assert fold_to_gsm7(accented) == folded


def test_gsm7_accents_are_kept() -> None:
    assert fold_to_gsm7("é è à ù ì ò ä ö ü ñ Ç ß") == "é è à ù ì ò ä ö ü ñ Ç ß"


def test_accent_folding_can_be_turned_off() -> None:
    result = smart_encode("Tu pedido está en camino", fold_accents=False)
    assert result.encoding is Encoding.UCS2
    assert result.text == "Tu pedido está en camino"


def test_a_name_that_needs_ucs2_sends_the_whole_message_in_ucs2() -> None:
    text = "Herald Shop: João, seu pedido está a caminho – rastreie aqui"
    result = smart_encode(text, protected=["João"])
    assert result.encoding is Encoding.UCS2
    assert result.text == text  # nothing changed: not the name, not the template's words


def test_letters_are_never_folded_by_default() -> None:
    result = smart_encode("Herald Shop: Ana, seu pedido está a caminho", protected=["Ana"])
    assert result.encoding is Encoding.UCS2
    assert result.text == "Herald Shop: Ana, seu pedido está a caminho"


def test_a_merchant_may_fold_the_template_words_around_a_gsm7_name() -> None:
    result = smart_encode(
        "Herald Shop: Ana, seu pedido está a caminho", protected=["Ana"], fold_accents=True
    )
    assert result.encoding is Encoding.GSM7
    assert result.text == "Herald Shop: Ana, seu pedido esta a caminho"


@pytest.mark.parametrize(
    "note",
    [
        "Kapı sık sık kapalı",  # "sık" (often) must never become "sik"
        "Sıkıştı, año nuevo",  # "año" (year) is not "ano"
        "a ≠ b",  # ≠ decomposes to = and a stroke: a symbol, not a letter
        "Zażółć gęślą jaźń",
    ],
)
def test_the_oms_note_keeps_every_letter_even_when_folding_is_on(note: str) -> None:
    text = f"Herald Shop: your order is late ({note}). Track: https://t.example/1"
    result = smart_encode(text, protected=[note], fold_accents=True)
    assert note in result.text
    assert result.encoding is Encoding.UCS2


def test_symbols_are_not_letters_and_never_fold() -> None:
    assert fold_to_gsm7("≠ ≤ ≥ ™ ©") == "≠ ≤ ≥ ™ ©"


def test_decomposed_text_is_composed_before_it_is_counted() -> None:
    decomposed = "Herald Shop: Jose\u0301, it shipped"  # e + combining acute
    result = smart_encode(decomposed)
    assert result.text == "Herald Shop: José, it shipped"
    assert result.encoding is Encoding.GSM7  # é is in GSM-7 once composed
    assert result.changed and not result.kept_in_gsm7
    ucs2 = smart_encode("Herald Shop: Zo\u0308e\u0301 ł")  # ö é composed, ł keeps UCS-2
    assert ucs2.encoding is Encoding.UCS2 and ucs2.text == "Herald Shop: Zöé ł"


def test_name_punctuation_is_normalised_but_not_its_letters() -> None:
    result = smart_encode("Hi Dell’Acqua, your order shipped", protected=["Dell’Acqua"])
    assert result.text == "Hi Dell'Acqua, your order shipped"
    assert (
        smart_encode("Hi Łukasz, it shipped", protected=["Łukasz"]).text == "Hi Łukasz, it shipped"
    )


def test_emoji_keeps_ucs2() -> None:
    result = smart_encode("Delivered 📦 – enjoy")
    assert result.encoding is Encoding.UCS2
    assert result.text == "Delivered 📦 – enjoy"


def test_cjk_is_left_alone() -> None:
    result = smart_encode("山田様、ご注文の商品を発送しました。")
    assert result.encoding is Encoding.UCS2
    assert not result.changed


# ---- currency signs, protected pieces and the flags ------------------------------------


@pytest.mark.parametrize(
    ("written", "sent"),
    [
        ("₺1.234,56", "1.234,56 TL"),
        ("₺ 50", "50 TL"),
        ("1.234,56 ₺", "1.234,56 TL"),
        ("1.234,56₺", "1.234,56 TL"),
        ("₹500", "500 Rs"),
        ("₽\u00a01 000", "1 000 RUB"),
        ("₩10,000", "10,000 KRW"),
        ("total: 12 €", "total: 12 €"),  # € is in GSM-7 (extension table)
        ("no amount ₺", "no amount ₺"),  # a sign without an amount stays
    ],
)
def test_currency_signs_gsm7_lacks_become_codes(written: str, sent: str) -> None:
    assert fold_to_gsm7(written) == sent


def test_a_refund_in_lira_stays_gsm7_with_its_code() -> None:
    result = smart_encode("Herald Shop: refund of ₺1.234,56 sent")
    assert (result.text, result.encoding) == (
        "Herald Shop: refund of 1.234,56 TL sent",
        Encoding.GSM7,
    )
    assert result.kept_in_gsm7 and result.changed
    assert result.rendered == "Herald Shop: refund of ₺1.234,56 sent"


def test_protected_values_are_matched_longest_first_and_empty_ones_ignored() -> None:
    text = "Hi Ana María, Ana’s order"
    result = smart_encode(text, protected=["Ana", "Ana María", "", "María"], fold_accents=True)
    # "Ana María" is kept whole (í is not GSM-7), so the message stays UCS-2 unchanged.
    assert result.encoding is Encoding.UCS2 and result.text == text
    gsm = smart_encode("Hi Ana, it’s here", protected=["Ana", ""])
    assert gsm.text == "Hi Ana, it's here"


def test_fold_letter_keeps_gsm7_letters_and_folds_the_others() -> None:
    assert fold_to_gsm7("ÀÉÑÜ") == "AÉÑÜ"
    assert fold_to_gsm7("œuvre Œ ħ ŀ Đ đ") == "oeuvre OE h l D d"
    assert fold_to_gsm7("ǆ") == "ǆ"  # no single GSM-7 base: unchanged
    assert fold_to_gsm7("ł", fold_accents=False) == "ł"


@pytest.mark.parametrize(
    ("character", "plain"),
    [("\u2009", " "), ("\u00ad", ""), ("‚", "'"), ("„", '"'), ("—", "-"), ("•", "*"), ("×", "x")],
)
def test_each_lookalike_family(character: str, plain: str) -> None:
    assert fold_lookalikes(f"a{character}b") == f"a{plain}b"


def test_line_and_paragraph_separators_become_newlines() -> None:
    assert fold_lookalikes("a\u2028b\u2029c") == "a\nb\nc"
