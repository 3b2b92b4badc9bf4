"""What a customer's reply asks for: reschedule, a call back, help, a numbered choice...

STOP, START and HELP keywords, and opt-outs written as sentences, are recognized by
:mod:`policy.keywords` first, so consent is decided by its rules alone. Everything else is matched
against short phrases in the 12 shipped languages (:mod:`conversation.intent_phrases`):
Latin-script phrases word by word with a small edit distance (customers type "reschedual",
"cal me"), other scripts as substrings (Japanese and Chinese have no spaces; Arabic joins
prefixes to words).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from conversation.intent_kinds import IntentKind
from conversation.intent_phrases import PHRASES
from policy.keywords import KeywordIntent, classify_reply, reply_language

# IntentKind and PHRASES are imported from here by the rest of Herald and the tests.
__all__ = ["OTHER", "PHRASES", "Intent", "IntentKind", "classify", "normalize", "parse_choice"]


@dataclass(frozen=True)
class Intent:
    kind: IntentKind
    choice: int | None = None  # CHOICE only: the number the customer picked
    keyword: str | None = None  # set when a carrier keyword matched (consent path)
    language: str | None = None  # the language the reply was recognized in

    @property
    def is_consent_keyword(self) -> bool:
        """STOP, START, an exact HELP, an opt-out sentence or one that might be: answered by
        the consent store before anything else."""
        return self.keyword is not None


OTHER = Intent(IntentKind.OTHER)

_KEYWORD_KINDS = {
    KeywordIntent.OPT_OUT: IntentKind.STOP,
    KeywordIntent.OPT_IN: IntentKind.START,
    KeywordIntent.HELP: IntentKind.HELP,
    KeywordIntent.CONFIRM_OPT_OUT: IntentKind.CONFIRM_STOP,
}

# A call back beats a reschedule ("call me to reschedule"); both beat a plain help.
_PRECEDENCE = (IntentKind.CALL_ME, IntentKind.RESCHEDULE, IntentKind.HELP)

# "don't call me", "ne pas rappeler", "nicht anrufen": the phrase is refused, not asked for.
_NEGATIONS = frozenset(
    {"dont", "not", "never", "pas", "nicht", "kein", "keine", "nao", "niet", "nie", "ne"}
)
_LONGEST_REPLY = 300  # past this it is a letter for support, not a command

_UNDECOMPOSABLE = str.maketrans(
    {"ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "ß": "ss", "ة": "ه", "ى": "ي"}
)
_APOSTROPHES = re.compile(r"['’`´]")
_NOT_WORD = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """Lower case, accents and marks removed, punctuation as single spaces."""
    folded = unicodedata.normalize("NFKC", text).translate(_UNDECOMPOSABLE).lower()
    decomposed = unicodedata.normalize("NFKD", folded)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = unicodedata.normalize("NFC", bare)  # kana voicing marks recombine
    return _NOT_WORD.sub(" ", _APOSTROPHES.sub("", bare)).strip()


def classify(text: str, locale_hint: str | None = None, *, phone: str | None = None) -> Intent:
    """The intent of one inbound SMS. ``locale_hint`` (the customer's locale) decides which
    keywords apply and the language reported when a phrase exists in several, and is
    tried first; ``phone`` adds the keywords of its country's carriers."""
    keyword = classify_reply(text, locale_hint, phone=phone)
    if keyword is not None:
        return Intent(
            _KEYWORD_KINDS[keyword.intent],
            keyword=keyword.keyword,
            language=reply_language(keyword, locale_hint),
        )
    if len(text) > _LONGEST_REPLY:
        return OTHER
    choice = parse_choice(text)
    if choice is not None:
        return Intent(IntentKind.CHOICE, choice=choice)
    normalized = normalize(text)
    if not normalized:
        return OTHER
    languages = _languages_in_order(locale_hint)
    for kind in _PRECEDENCE:
        for language in languages:
            if any(_contains(normalized, p) for p in _NORMALIZED[language].get(kind, ())):
                return Intent(kind, language=language)
    return OTHER


def _languages_in_order(locale_hint: str | None) -> list[str]:
    hinted = normalize(locale_hint or "").split(" ")[0]
    return sorted(PHRASES, key=lambda language: language != hinted)


_CHOICE = re.compile(
    r"^(?:#|n[or°º]?\.?|nr\.?|num(?:ber|ero|ro)?\.?|n[uú]mero|option|opcion|opción|opção|"
    r"opcao|choix|choice|wahl|opzione|optie|opcja|secenek|seçenek|第)?\s*#?\s*"
    r"(\d{1,2})\s*(?:番|号|つ目|個目|\.|\))?\s*"
    r"(?:please|pls|plz|por favor|bitte|merci|grazie|obrigad[oa]|alstublieft|prosze|lutfen)?"
    r"\s*[.!]*$",
    re.IGNORECASE,
)


def parse_choice(text: str) -> int | None:
    """The number in "2", "#2", "option 2", "2.", "２番", "٢"; None for anything else."""
    match = _CHOICE.match(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        return None
    number = int(match.group(1))  # int() reads any script's decimal digits
    return number if number >= 1 else None


def _contains(normalized: str, phrase: str) -> bool:
    if not phrase.isascii():
        return phrase in normalized or phrase.replace(" ", "") in normalized.replace(" ", "")
    words, wanted = normalized.split(" "), phrase.split(" ")
    for start in range(len(words) - len(wanted) + 1):
        window = words[start : start + len(wanted)]
        matches = all(_close(said, exp) for said, exp in zip(window, wanted, strict=True))
        if matches and not _negated(words[max(0, start - 2) : start]):
            return True
    return False


def _negated(preceding: list[str]) -> bool:
    return any(word in _NEGATIONS for word in preceding)


def _close(said: str, expected: str) -> bool:
    """Equal, or a typo away: one edit for words of 4+ letters, two for 7+. The first
    letter must match: typos rarely hit it, and "deliver" is not "redeliver"."""
    if said == expected:
        return True
    allowed = 2 if len(expected) >= 7 else 1 if len(expected) >= 4 else 0
    if allowed == 0 or len(said) < 3 or said[0] != expected[0]:
        return False
    return _edit_distance(said, expected, allowed) <= allowed


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance with transpositions, stopping early once past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                best = min(best, previous_previous[j - 2] + 1)
            current.append(best)
        if min(current) > limit:
            return limit + 1
        previous_previous, previous = previous, current
    return previous[-1]


_NORMALIZED: dict[str, dict[IntentKind, tuple[str, ...]]] = {
    language: {kind: tuple(normalize(p) for p in phrases) for kind, phrases in kinds.items()}
    for language, kinds in PHRASES.items()
}
