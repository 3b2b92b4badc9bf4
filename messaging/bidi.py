"""Right-to-left SMS: laid out right to left from the first character.

A phone picks a message's direction from its first strong character. An Arabic SMS
that opens with a Latin brand ("Herald Shop: مرحباً...") is laid out left to right, with
the brand on the wrong side and the punctuation scattered. A RIGHT-TO-LEFT MARK (U+200F)
first is invisible and strong, so the whole message reads right to left. It costs one
UCS-2 unit, and right-to-left scripts need UCS-2 anyway.
"""

from __future__ import annotations

import unicodedata

RLM = "\u200f"
_RIGHT_TO_LEFT_CLASSES = frozenset({"R", "AL"})


def starts_right_to_left(text: str) -> bool:
    """Whether a phone would lay ``text`` out right to left (its first strong character)."""
    for character in text:
        direction = unicodedata.bidirectional(character)
        if direction in _RIGHT_TO_LEFT_CLASSES or character == RLM:
            return True
        if direction == "L":
            return False
    return False


def lay_out(text: str, direction: str) -> str:
    """``text`` as sent for a message written in ``direction`` ("rtl" or "ltr")."""
    if direction != "rtl" or starts_right_to_left(text):
        return text
    return RLM + text
