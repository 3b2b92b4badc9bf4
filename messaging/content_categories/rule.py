"""A content rule, and how a category's table of words and fragments becomes one."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ContentRule:
    rule: str
    message: str
    pattern: re.Pattern[str]
    allowed: re.Pattern[str] | None = None


def make_rule(
    rule: str,
    message: str,
    words: list[str],
    fragments: list[str] | None = None,
    allowed: list[str] | None = None,
) -> ContentRule:
    """``words`` match whole words (Latin, Greek, Cyrillic); ``fragments`` match anywhere
    (Japanese, Chinese, Arabic, or a pattern that draws its own bounds); a match inside an
    ``allowed`` phrase is not a finding."""
    alternatives = [rf"(?<!\w)(?:{'|'.join(words)})(?!\w)"] if words else []
    alternatives += list(fragments or [])
    compiled_allowed = re.compile("|".join(f"(?:{a})" for a in allowed)) if allowed else None
    return ContentRule(rule, message, re.compile("|".join(alternatives)), compiled_allowed)
