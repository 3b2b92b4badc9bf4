"""How many SMS segments a text costs, and in which encoding it travels.

GSM-7 packs 160 septets in a single message, 153 per segment once a User Data Header is
needed to join parts. Characters from the extension table take two septets (an escape
and the character). Anything outside GSM-7 forces UCS-2: 70 UTF-16 code units in one
message, 67 per segment, so a character beyond the BMP (most emoji) costs two units.

A segment never ends inside a grapheme cluster: an escape pair, a surrogate pair, a
letter and its combining marks, an emoji sequence joined by ZWJ or a flag stay whole,
as Twilio's segment calculator and the carriers split them. Counting cluster by cluster
keeps the estimate from falling below what the provider bills.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import regex

# 3GPP TS 23.038 basic character set (the escape itself, 0x1B, is not a character).
GSM7_BASIC: frozenset[str] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each one is sent as ESC + character, two septets.
GSM7_EXTENSION: frozenset[str] = frozenset("\f^{}\\[~]|€")

SINGLE_GSM7_LIMIT = 160
MULTIPART_GSM7_LIMIT = 153
SINGLE_UCS2_LIMIT = 70
MULTIPART_UCS2_LIMIT = 67

_GRAPHEME = regex.compile(r"\X")


class Encoding(StrEnum):
    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


@dataclass(frozen=True)
class SegmentCount:
    encoding: Encoding
    segments: int
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    characters: int  # Unicode code points, as a person would count them


def is_gsm7_character(character: str) -> bool:
    return character in GSM7_BASIC or character in GSM7_EXTENSION


def is_gsm7(text: str) -> bool:
    return all(is_gsm7_character(character) for character in text)


def gsm7_septets(character: str) -> int:
    return 2 if character in GSM7_EXTENSION else 1


def utf16_units(character: str) -> int:
    return 2 if ord(character) > 0xFFFF else 1


def graphemes(text: str) -> list[str]:
    """User-perceived characters (extended grapheme clusters, UAX #29)."""
    return _GRAPHEME.findall(text)


def count_segments(text: str) -> SegmentCount:
    """Encoding and segment count of ``text`` as it would be sent, unchanged."""
    if is_gsm7(text):
        size, single, multipart, encoding = (
            gsm7_septets,
            SINGLE_GSM7_LIMIT,
            MULTIPART_GSM7_LIMIT,
            Encoding.GSM7,
        )
    else:
        size, single, multipart, encoding = (
            utf16_units,
            SINGLE_UCS2_LIMIT,
            MULTIPART_UCS2_LIMIT,
            Encoding.UCS2,
        )
    sizes = [sum(map(size, cluster)) for cluster in graphemes(text)]
    units = sum(sizes)
    segments = 1 if units <= single else _pack(sizes, multipart)
    return SegmentCount(encoding=encoding, segments=segments, units=units, characters=len(text))


def _pack(sizes: list[int], capacity: int) -> int:
    """Segments needed when no cluster may straddle two. A cluster longer than a whole
    segment (a pathological run of combining marks) cannot stay whole: it fills on."""
    segments, used = 1, 0
    for size in sizes:
        if size > capacity:
            total = used + size
            extra = -(-total // capacity) - 1
            segments, used = segments + extra, total - extra * capacity
            continue
        if used + size > capacity:
            segments, used = segments + 1, 0
        used += size
    return segments
