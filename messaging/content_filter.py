"""The content filter: finds what carriers filter, however it is written.

Spammers write "V1AGRA", "f r e e  c a s h", "bіt.ly" with a Cyrillic і, "bit．ly" with a
full-width dot. The filter reads a skeleton of each line instead of the line itself:

1. NFKC (full-width and mathematical letters become plain ones);
2. letters that imitate Latin ones (Cyrillic а, Greek ο...) become those Latin letters,
   through Unicode's confusables table (``confusable_homoglyphs``); Arabic, CJK and kana
   are never touched;
3. lower case, accents and Arabic vowel signs dropped, hamza forms folded;
4. look-alike dots ("。", "·", "(dot)", "[.]") become ".", spaces around dots go;
5. letters spaced out ("v i a g r a", "f.r.e.e") are joined;
6. digits inside words become the letters they imitate ("l0ttery", "v1agra": 1 read as
   i and as l).

The rules (:mod:`messaging.content_rules`) run over each reading; a finding inside an
ordinary phrase the rule allows (a glue gun, a wine rack) is dropped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from confusable_homoglyphs import confusables

from messaging.content_rules import RULES, ContentRule

_UNTOUCHED_SCRIPTS = ("ARABIC", "CJK", "HIRAGANA", "KATAKANA", "HANGUL", "IDEOGRAPHIC")
_FOLDED_LETTERS = str.maketrans(
    {"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ة": "ه", "ى": "ي"}
)
_DOTS = re.compile(r"\s*(?:[。｡․‧·•∙⋅]|\(dot\)|\[dot\]|\[\.\]|\(\.\)|\{dot\}| dot )\s*")
_SPACED_DOT = re.compile(r"(?<=[a-z0-9])\s*\.\s*(?=[a-z0-9])")
_SPACED_LETTERS = re.compile(r"(?<![a-z0-9])(?:[a-z0-9][\s.\-_*|/]){2,}[a-z0-9](?![a-z0-9])")
_SEPARATORS = re.compile(r"[\s.\-_*|/]")
_MIXED_TOKEN = re.compile(r"[a-z0-9@$!]*[a-z][a-z0-9@$!]*")
_LEET = {"0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s"}
_SPACES = re.compile(r"\s+")
# Words that become a filtered one once their accents go: Turkish "gün" (day) is not
# "gun", French "curé" (priest) is not "cure".
_FALSE_FRIENDS = re.compile(r"(?<!\w)(?:gün|curé|curés)(?!\w)")
_NEUTRAL = "·"


@dataclass(frozen=True)
class Finding:
    rule: ContentRule
    line: int  # 0-based line of the text
    found: str  # the words that matched, as the filter read them

    def group(self) -> str:
        return self.found


def findings(text: str) -> list[Finding]:
    """Every rule ``text`` breaks, line by line, each finding once."""
    found: list[Finding] = []
    for number, line in enumerate(text.split("\n")):
        seen: set[tuple[str, str]] = set()
        for reading in readings(line):
            for rule in RULES:
                for match in rule.pattern.finditer(reading):
                    key = (rule.rule, match.group())
                    if key in seen or _allowed(rule, reading, match):
                        continue
                    seen.add(key)
                    found.append(Finding(rule, number, match.group()))
    return found


def _allowed(rule: ContentRule, reading: str, match: re.Match[str]) -> bool:
    if rule.allowed is None:
        return False
    return any(
        allowed.start() <= match.start() and match.end() <= allowed.end()
        for allowed in rule.allowed.finditer(reading)
    )


def readings(line: str) -> list[str]:
    """The skeleton of ``line`` and its de-obfuscated variants, most literal first."""
    spaced = skeleton(line)
    base = _SPACES.sub(" ", spaced)
    joined = _SPACES.sub(" ", _join_spaced_letters(spaced))
    variants = [base, joined, _undo_digits(joined, "i"), _undo_digits(joined, "l")]
    return list(dict.fromkeys(variants))


def skeleton(line: str) -> str:
    text = unicodedata.normalize("NFKC", line)
    text = "".join(_as_latin(character) for character in text)
    text = _FALSE_FRIENDS.sub(lambda m: _NEUTRAL, text.casefold())
    text = text.translate(_FOLDED_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in decomposed if not unicodedata.combining(c) or _is_kana_mark(c))
    text = unicodedata.normalize("NFC", text).replace("\u0640", "")  # tatweel
    text = _DOTS.sub(".", text)
    return _SPACED_DOT.sub(".", text).strip()  # runs of spaces kept: they part spaced words


def _is_kana_mark(character: str) -> bool:
    return character in "\u3099\u309a"


@lru_cache(maxsize=8192)
def _as_latin(character: str) -> str:
    """The Latin letter ``character`` imitates, or itself."""
    if character.isascii() or not character.isalpha():
        return character
    name = unicodedata.name(character, "")
    if name.startswith(("LATIN", *_UNTOUCHED_SCRIPTS)):
        return character
    found = confusables.is_confusable(character, preferred_aliases=["latin"])
    if not found:
        return character
    for homoglyph in found[0]["homoglyphs"]:
        latin = homoglyph["c"]
        if latin.isascii() and latin.isalpha():
            return latin
    return character


def _join_spaced_letters(text: str) -> str:
    return _SPACED_LETTERS.sub(lambda m: _SEPARATORS.sub("", m.group()), text)


def _undo_digits(text: str, one: str) -> str:
    """Digits and signs read as letters, in words that have letters ("fr33", "l0an")."""
    table = {**_LEET, "1": one, "!": "i"}

    def letters(match: re.Match[str]) -> str:  # a token always holds a letter (_MIXED_TOKEN)
        return "".join(table.get(c, c) for c in match.group())

    return _MIXED_TOKEN.sub(letters, text)
