"""The customer's first name as messages address them."""

from __future__ import annotations

import pytest

from messaging.context import first_name


@pytest.mark.parametrize(
    ("full", "first"),
    [
        ("Maria Fernanda Souza", "Maria"),
        ("  Jean  Dupont ", "Jean"),
        ("Anne\u00a0Marie Dubois", "Anne\u00a0Marie"),  # a no-break space binds
        ("Anne\u202fMarie Dubois", "Anne\u202fMarie"),
        ("Ana\tMaria", "Ana\tMaria"),  # only an ordinary space parts words
        ("عبد الرحمن الشمري", "عبد الرحمن"),
        ("عبد الله", "عبد الله"),
        ("أبو بكر الصديق", "أبو بكر"),
        ("Abdul Rahman Khan", "Abdul Rahman"),
        ("Abd al-Rahman Saleh", "Abd al-Rahman"),
        ("Abd al Rahman Saleh", "Abd al Rahman"),
        ("Abu Bakr", "Abu Bakr"),
        ("عبد", "عبد"),  # alone: nothing to join
        ("محمد عبد الله", "محمد"),  # a father's name after the given name stays out
        ("山田太郎", "山田太郎"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_first_name(full: str, first: str) -> None:
    assert first_name(full) == first
