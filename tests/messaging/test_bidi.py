"""Right-to-left SMS open with a right-to-left mark, and only they do."""

from __future__ import annotations

import pytest

from messaging.bidi import RLM, lay_out, starts_right_to_left


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("مرحبا", True),
        ("שלום", True),  # Hebrew: R
        ("Herald Shop: مرحبا", False),  # the first strong character is Latin
        ("123 مرحبا", True),  # digits are weak: the first strong one is Arabic
        (RLM + "Herald Shop", True),
        ("", False),
        ("123 !?", False),  # nothing strong at all
        ("Hello", False),
    ],
)
def test_the_first_strong_character_decides(text: str, expected: bool) -> None:
    assert starts_right_to_left(text) is expected


def test_a_right_to_left_message_that_opens_in_latin_gets_the_mark() -> None:
    assert lay_out("Herald Shop: مرحبا", "rtl") == RLM + "Herald Shop: مرحبا"
    assert lay_out("12 Herald", "rtl") == RLM + "12 Herald"


def test_the_mark_is_added_once_and_never_to_left_to_right_messages() -> None:
    assert lay_out("مرحبا Herald", "rtl") == "مرحبا Herald"
    assert lay_out(RLM + "Herald", "rtl") == RLM + "Herald"
    assert lay_out("Herald Shop: hi", "ltr") == "Herald Shop: hi"
    assert lay_out("مرحبا", "ltr") == "مرحبا"
