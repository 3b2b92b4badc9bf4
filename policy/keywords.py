"""STOP, START and HELP, and opt-outs written as sentences, in the 12 shipped languages.

A reply is a keyword when, ignoring case, accents, spaces and punctuation, it is exactly
one ("Stop.", " stop all ", "ARRÊT!", "opt-out", "「停止」", "ＳＴＯＰ", "إلغاء"), as
carriers and Twilio match them. Which keywords count depends on who writes: the universal
English set, the words of the customer's language and those of their country's carriers
(:mod:`policy.keyword_table`). When the customer's language is unknown, every language's
opt-out words count (a missed opt-out is the costly mistake) but no other language's
START or HELP does.

A reply that is not a keyword may still revoke consent in a sentence ("please stop
texting me"): :mod:`policy.opt_out_language` decides, and a reply that might be one gets a
single clarifying question. Every answer is in the customer's language.
"""

from __future__ import annotations

import re
import unicodedata

from pydantic import BaseModel, ConfigDict

from domain.phone import region_of
from messaging.bidi import lay_out
from messaging.brand import Brand
from messaging.locales import parse_tag, text_direction
from policy.keyword_replies import REPLIES
from policy.keyword_table import BY_COUNTRY, BY_LANGUAGE, UNIVERSAL, KeywordIntent
from policy.opt_out_language import SentenceMeaning, opt_out_meaning

__all__ = [
    "KEYWORDS",
    "REPLIES",
    "KeywordIntent",
    "KeywordMatch",
    "canonical",
    "classify_reply",
    "help_text",
    "keywords_for",
    "reply_language",
    "reply_text",
]

KEYWORDS = BY_LANGUAGE
SHIPPED_LANGUAGES: tuple[str, ...] = tuple(BY_LANGUAGE)
_SENTENCE_KEYWORD_LENGTH = 40  # the consent record keeps the revoking sentence's start


class KeywordMatch(BaseModel):
    model_config = ConfigDict(frozen=True)

    intent: KeywordIntent
    keyword: str  # canonical keyword; for a sentence, its first 40 characters
    languages: tuple[str, ...]  # the languages it was recognised in, the customer's first
    sentence: bool = False  # an opt-out (or a possible one) written as a sentence


# Letters that Unicode decomposition leaves whole, and the Arabic letters SMS writers use
# interchangeably (ٱ for ا, ه for final ة, ى for final ي).
_UNDECOMPOSABLE = str.maketrans(
    {"ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "ٱ": "ا", "ة": "ه", "ى": "ي"}
)
# Kana voicing marks are part of the letter (ブ is not フ); every other mark goes: Latin
# accents, Arabic vowel signs and the hamza that turns ا into أ, إ, آ.
_KANA_VOICING_MARKS = frozenset("\u3099\u309a")
# What is left of a keyword: Latin capitals and digits, kana (with ー), CJK ideographs and
# Arabic letters (tatweel, U+0640, is not one).
_NOT_KEYWORD_CHARACTER = re.compile(
    r"[^A-Z0-9\u3041-\u3096\u30a1-\u30fa\u30fc\u3400-\u4dbf\u4e00-\u9fff"
    r"\u0621-\u063a\u0641-\u064a]+"
)
_LONGEST_KEYWORD = 16  # longer replies are sentences, not keywords


def canonical(text: str) -> str:
    """NFKD folds full-width and half-width forms (ＳＴＯＰ, ｽﾄｯﾌﾟ) and Arabic presentation
    forms to plain letters and splits off the marks dropped here."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSABLE))
    bare = "".join(
        c for c in decomposed if not unicodedata.combining(c) or c in _KANA_VOICING_MARKS
    )
    return _NOT_KEYWORD_CHARACTER.sub("", unicodedata.normalize("NFC", bare).upper())


def _canonical_table(
    table: dict[KeywordIntent, frozenset[str]],
) -> dict[KeywordIntent, frozenset[str]]:
    return {intent: frozenset(map(canonical, words)) for intent, words in table.items()}


_UNIVERSAL = _canonical_table(UNIVERSAL)
_BY_LANGUAGE = {language: _canonical_table(table) for language, table in BY_LANGUAGE.items()}
_BY_COUNTRY = {country: _canonical_table(table) for country, table in BY_COUNTRY.items()}
# Opt-out first: a word that stops in one table is never read as a START in another.
_PRECEDENCE = (KeywordIntent.OPT_OUT, KeywordIntent.OPT_IN, KeywordIntent.HELP)


def customer_language(locale: str | None) -> str | None:
    """The shipped language of ``locale`` (pt-BR reads pt, zh-Hans zh); None otherwise."""
    language = parse_tag(locale).language if locale else None
    return language if language in BY_LANGUAGE else None


def keywords_for(
    locale: str | None, phone: str | None = None
) -> dict[KeywordIntent, frozenset[str]]:
    """Every canonical keyword that applies to this customer, by intent."""
    language = customer_language(locale)
    tables = [_UNIVERSAL]
    if language is None:  # unknown language: any language's opt-out words still count
        tables += [{KeywordIntent.OPT_OUT: t[KeywordIntent.OPT_OUT]} for t in _BY_LANGUAGE.values()]
    else:
        tables.append(_BY_LANGUAGE[language])
    for country in _countries(locale, phone):
        tables.append(_BY_COUNTRY.get(country, {}))
    merged: dict[KeywordIntent, frozenset[str]] = {}
    for table in tables:
        for intent, words in table.items():
            merged[intent] = merged.get(intent, frozenset()) | words
    return merged


def _countries(locale: str | None, phone: str | None) -> list[str]:
    found = [parse_tag(locale).region if locale else None, region_of(phone) if phone else None]
    return [country for country in found if country]


def classify_reply(
    text: str, locale: str | None = None, *, phone: str | None = None
) -> KeywordMatch | None:
    """What ``text`` means for consent, for a customer writing in ``locale`` from
    ``phone``: a keyword, a sentence that opts out or might, or None for anything else."""
    language = customer_language(locale)
    languages = ("en",) if language in (None, "en") else (language, "en")
    keyword = canonical(text)
    if keyword and len(keyword) <= _LONGEST_KEYWORD:
        applicable = keywords_for(locale, phone)
        for intent in _PRECEDENCE:
            if keyword in applicable.get(intent, frozenset()):
                return KeywordMatch(
                    intent=intent, keyword=keyword, languages=_languages_of(keyword, language)
                )
    sentence_languages = languages if language else SHIPPED_LANGUAGES
    meaning = opt_out_meaning(text, sentence_languages)
    if meaning is None:
        return None
    intent = (
        KeywordIntent.OPT_OUT
        if meaning is SentenceMeaning.OPT_OUT
        else KeywordIntent.CONFIRM_OPT_OUT
    )
    return KeywordMatch(
        intent=intent,
        keyword=" ".join(text.split())[:_SENTENCE_KEYWORD_LENGTH],
        languages=languages,
        sentence=True,
    )


def _languages_of(keyword: str, customer: str | None) -> tuple[str, ...]:
    """The customer's language first when known, then every language with the keyword."""
    having = [
        language
        for language, table in _BY_LANGUAGE.items()
        if any(keyword in words for words in table.values())
    ]
    if any(keyword in words for words in _UNIVERSAL.values()) and "en" not in having:
        having.insert(0, "en")
    ordered = [customer] if customer else []
    return tuple(dict.fromkeys([*ordered, *having, "en"]))


def reply_language(match: KeywordMatch, locale: str | None = None) -> str:
    """The customer's language when Herald writes it, else the keyword's own."""
    return customer_language(locale) or match.languages[0]


def reply_text(intent: KeywordIntent, brand: Brand, language: str = "en") -> str:
    """The brand's answer: HELP text, opt-out or opt-in confirmation, or the question."""
    written_in = language if language in REPLIES else "en"
    text = REPLIES[written_in][intent].format(brand=brand.name, support=brand.support_contact)
    return lay_out(text, text_direction(written_in))


def help_text(brand: Brand, language: str = "en") -> str:
    return reply_text(KeywordIntent.HELP, brand, language)
