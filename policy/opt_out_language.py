"""Opt-outs written as sentences: "please stop texting me", "ne m'envoyez plus de SMS".

Since April 2025 the FCC has required a revocation made by any reasonable means to be
honoured, so a reply that a reasonable person reads as "no more texts" opts the number
out, in any of the 12 shipped languages. A reply that might mean it ("wrong number",
"who is this?") earns one clarifying question and nothing else. Everything else (stop
the delivery, cancel my order, the bus stop) is an ordinary reply.

The rules per language live in :mod:`policy.opt_out_phrases`; this module applies them
to the reply in a normalised form: lower case, accents and Arabic vowel signs removed,
punctuation as single spaces.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from policy.opt_out_phrases import CUES, LanguageCues

# Letters that decomposition leaves whole, and the Arabic letters SMS writers swap.
_UNDECOMPOSABLE = str.maketrans(
    {"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ß": "ss", "ة": "ه", "ى": "ي", "ٱ": "ا"}
)
_KANA_VOICING_MARKS = frozenset("\u3099\u309a")
_APOSTROPHES = re.compile(r"['’`´]")
_NOT_WORD = re.compile(r"[\W_]+")
_LONGEST = 400  # a letter to support, not a revocation typed at a phone


class SentenceMeaning(StrEnum):
    OPT_OUT = "opt_out"
    MAYBE_OPT_OUT = "maybe_opt_out"  # ask once whether the customer wants no more texts


def normalize(text: str) -> str:
    """Lower case, no accents or vowel signs (kana voicing kept), words split by spaces."""
    folded = unicodedata.normalize("NFKC", text).lower().translate(_UNDECOMPOSABLE)
    decomposed = unicodedata.normalize("NFKD", folded)
    bare = "".join(
        c for c in decomposed if not unicodedata.combining(c) or c in _KANA_VOICING_MARKS
    )
    bare = unicodedata.normalize("NFC", bare).replace("\u0640", "")  # tatweel
    return _NOT_WORD.sub(" ", _APOSTROPHES.sub("", bare)).strip()


def opt_out_meaning(text: str, languages: tuple[str, ...]) -> SentenceMeaning | None:
    """What ``text`` says about consent in any of ``languages``; None when nothing."""
    if len(text) > _LONGEST:
        return None
    normalized = normalize(text)
    if not normalized:
        return None
    cues = [CUES[language] for language in languages if language in CUES]
    if any(_revokes(normalized, language_cues) for language_cues in cues):
        return SentenceMeaning.OPT_OUT
    if any(pattern.search(normalized) for c in cues for pattern in c.ambiguous):
        return SentenceMeaning.MAYBE_OPT_OUT
    return None


def _revokes(normalized: str, cues: LanguageCues) -> bool:
    if any(pattern.search(normalized) for pattern in cues.kept):
        return False  # "don't unsubscribe me", "no quiero dejar de recibir"
    if any(pattern.search(normalized) for pattern in cues.revocations):
        return True
    words = normalized.split(" ") if cues.spaced else _characters(normalized)
    return _only_stop_words(words, cues) or _verb_near_noun(words, cues)


def _characters(normalized: str) -> list[str]:
    return [normalized.replace(" ", "")]


def _only_stop_words(words: list[str], cues: LanguageCues) -> bool:
    """'stop please', 'STOP IT!!', 'やめてください': a stop verb with nothing but fillers."""
    if not cues.spaced:
        return words[0] in cues.whole_replies
    has_verb = any(word in cues.stop_words for word in words)
    allowed = cues.stop_words | cues.fillers | cues.nouns
    return has_verb and all(word in allowed for word in words)


def _verb_near_noun(words: list[str], cues: LanguageCues) -> bool:
    """A stop verb and a messaging noun within a few words: 'stop sending these texts'."""
    if not cues.spaced:
        text = words[0]
        return any(v in text for v in cues.stop_words) and any(n in text for n in cues.nouns)
    verbs = [i for i, word in enumerate(words) if word in cues.stop_words]
    nouns = [i for i, word in enumerate(words) if word in cues.nouns]
    return any(-3 <= n - v <= cues.reach for v in verbs for n in nouns)
