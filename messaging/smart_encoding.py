"""Keep Latin-script SMS in GSM-7: one stray typographic character must not triple the cost.

Only look-alikes change: curly quotes, long dashes, the ellipsis, exotic and invisible
spaces become their GSM-7 equivalents, as Twilio's Smart Encoding does. Letters never
change by default: folding "sık" to "sik" or "año" to "ano" changes what a word means,
so a text with letters GSM-7 lacks travels as UCS-2 (or loses an optional part to fit).
A merchant may opt in to folding the template's own letters (``sms_fold_accents``);
the customer's and the OMS's data (``protected``) keep their letters even then, and
symbols (≠, ≤, ™) are never letters. Every text is NFC-normalised first: "José" typed as
e + combining accent is one UCS-2 unit, not two, and é is in GSM-7 only when composed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from messaging.segments import Encoding, is_gsm7, is_gsm7_character

_SPACES = "\u00a0\u1680\u202f\u205f\u3000\t" + "".join(map(chr, range(0x2000, 0x200B)))
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\u2066\u2067\u2068\u2069\u061c\ufeff"

LOOKALIKES: dict[str, str] = {
    **{space: " " for space in _SPACES},
    **{mark: "" for mark in _INVISIBLE},
    **{quote: "'" for quote in "‘’‚‛′ʹʼˈ`´‹›"},
    **{quote: '"' for quote in "“”„‟″ˮ«»〝〞"},
    **{dash: "-" for dash in "‐‑‒–—―−"},
    "…": "...",
    "•": "*",
    "×": "x",
    "\u2028": "\n",
    "\u2029": "\n",
}

# Letters whose decomposition has no GSM-7 base letter.
_LETTERS_WITHOUT_DECOMPOSITION: dict[str, str] = {
    "ł": "l",
    "Ł": "L",
    "ı": "i",
    "đ": "d",
    "Đ": "D",
    "ħ": "h",
    "œ": "oe",
    "Œ": "OE",
    "ŀ": "l",
}


# Currency signs GSM-7 lacks, written as the code people also use ('1.234,56 TL').
CURRENCY_CODES: dict[str, str] = {
    "₺": "TL",
    "₹": "Rs",
    "₽": "RUB",
    "₩": "KRW",
    "₪": "ILS",
    "₫": "VND",
    "₴": "UAH",
    "₦": "NGN",
    "฿": "THB",
    "₱": "PHP",
}
_SIGNS = "".join(CURRENCY_CODES)
_AMOUNT = r"\d(?:[\d.,\s\u00a0\u202f]*\d)?"
_SIGN_BEFORE = re.compile(rf"([{_SIGNS}])[\s\u00a0\u202f]?({_AMOUNT})")
_SIGN_AFTER = re.compile(rf"({_AMOUNT})[\s\u00a0\u202f]?([{_SIGNS}])")


@dataclass(frozen=True)
class SmartEncoded:
    text: str  # what to send
    encoding: Encoding
    changed: bool  # the text differs from the rendered one
    kept_in_gsm7: bool  # the rendered text needed UCS-2, the sent one does not
    rendered: str = ""  # the text before smart encoding


def fold_lookalikes(text: str) -> str:
    """Replace typographic look-alikes only: the letters themselves are kept."""
    return "".join(LOOKALIKES.get(character, character) for character in text)


def fold_to_gsm7(text: str, *, fold_accents: bool = True) -> str:
    """Look-alikes, then (optionally) accented letters, in their GSM-7 form where one exists."""
    folded = fold_lookalikes(_currency_codes(unicodedata.normalize("NFC", text)))
    if not fold_accents:
        return folded
    return "".join(_fold_letter(character) for character in folded)


def _currency_codes(text: str) -> str:
    if not any(sign in text for sign in CURRENCY_CODES):
        return text
    text = _SIGN_BEFORE.sub(lambda m: f"{m.group(2)} {CURRENCY_CODES[m.group(1)]}", text)
    return _SIGN_AFTER.sub(lambda m: f"{m.group(1)} {CURRENCY_CODES[m.group(2)]}", text)


@lru_cache(maxsize=4096)
def _fold_letter(character: str) -> str:
    if is_gsm7_character(character) or not unicodedata.category(character).startswith("L"):
        return character  # ≠ would decompose to = and a combining stroke
    if character in _LETTERS_WITHOUT_DECOMPOSITION:
        return _LETTERS_WITHOUT_DECOMPOSITION[character]
    decomposed = unicodedata.normalize("NFD", character)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base if base and is_gsm7(base) and base != decomposed else character


def smart_encode(
    text: str, *, protected: Iterable[str] = (), fold_accents: bool = False
) -> SmartEncoded:
    """The text to send as SMS: GSM-7 when that is possible without altering any letter.

    ``protected`` are values (a customer's name, the OMS's note) that must reach the
    phone as typed: only their look-alike punctuation and spaces may change, even when
    ``fold_accents`` lets the template's own letters fold.
    """
    normal = unicodedata.normalize("NFC", text)
    if is_gsm7(normal):
        return SmartEncoded(
            normal, Encoding.GSM7, changed=normal != text, kept_in_gsm7=False, rendered=text
        )
    protected = [unicodedata.normalize("NFC", value) for value in protected]
    candidate = "".join(
        fold_lookalikes(piece) if is_protected else fold_to_gsm7(piece, fold_accents=fold_accents)
        for piece, is_protected in _split_protected(normal, protected)
    )
    if is_gsm7(candidate):
        return SmartEncoded(
            candidate, Encoding.GSM7, changed=True, kept_in_gsm7=True, rendered=text
        )
    return SmartEncoded(
        normal, Encoding.UCS2, changed=normal != text, kept_in_gsm7=False, rendered=text
    )


def _split_protected(text: str, protected: Iterable[str]) -> list[tuple[str, bool]]:
    values = sorted({value for value in protected if value}, key=len, reverse=True)
    if not values:
        return [(text, False)]
    pattern = re.compile("|".join(re.escape(value) for value in values))
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in pattern.finditer(text):
        pieces.append((text[position : match.start()], False))
        pieces.append((match.group(), True))
        position = match.end()
    pieces.append((text[position:], False))
    return pieces
