"""One register and one vocabulary per locale: templates and replies agree.

Each locale's ``glossary.toml`` (beside its templates) names the form of address, the
words of the other register that must never appear, the words for order and return,
and the opt-out keyword every text names. Templates (SMS, e-mail, push), the keyword
answers, the conversation replies and the routing prompts are all held to it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from conversation import replies, routing
from messaging.linter import static_text as static_text_of
from messaging.locales import parse_tag
from policy.keyword_replies import REPLIES
from policy.keywords import KeywordIntent, classify_reply
from tests.helpers.texts import SHIPPED_LOCALES

TEMPLATES = Path(__file__).resolve().parents[2] / "messaging" / "templates"
_WORD = re.compile(r"[\w'’-]+")


def glossary(locale: str) -> dict:
    return tomllib.loads((TEMPLATES / locale / "glossary.toml").read_text(encoding="utf-8"))


def template_texts(locale: str) -> dict[str, str]:
    return {
        str(path.relative_to(TEMPLATES)): static_text_of(path.read_text(encoding="utf-8"))
        for path in sorted((TEMPLATES / locale).glob("*/*.txt"))
    }


def reply_texts(locale: str) -> dict[str, str]:
    language = parse_tag(locale).language
    found = {f"keyword answer {i.value}": t for i, t in REPLIES[language].items()}
    found |= {f"reply {key}": text for key, text in replies._TEXTS[language].items()}
    found["which one"] = routing._WHICH_ONE[language]
    found["nothing active"] = routing._NOTHING_ACTIVE[language]
    return found


def _has_word(text: str, word: str) -> bool:
    if re.search(r"[\u3040-\u9fff]", word):
        return word in text  # Japanese and Chinese have no spaces between words
    return word in _WORD.findall(text)


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_every_locale_has_a_glossary(locale: str) -> None:
    entries = glossary(locale)
    assert entries["register"]
    assert set(entries["terms"]) == {"order", "return", "opt_out_keyword"}


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_templates_and_replies_use_the_same_form_of_address(locale: str) -> None:
    forbidden = glossary(locale)["forbidden"]
    texts = {**template_texts(locale), **reply_texts(locale)}
    wrong = [
        (where, word)
        for where, text in texts.items()
        for word in forbidden
        if _has_word(text, word)
    ]
    assert wrong == [], wrong


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_order_and_return_are_the_glossarys_words(locale: str) -> None:
    terms = glossary(locale)["terms"]
    language = routing.prompt_language(locale)
    words = routing._KIND_WORDS[language]
    assert (words[routing.Kind.ORDER], words[routing.Kind.RETURN]) == (
        terms["order"],
        terms["return"],
    )


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_every_text_names_the_glossarys_opt_out_keyword(locale: str) -> None:
    keyword = glossary(locale)["terms"]["opt_out_keyword"]
    match = classify_reply(keyword, locale)
    assert match is not None and match.intent is KeywordIntent.OPT_OUT and not match.sentence

    opt_out_line = (TEMPLATES / locale / "sms" / "_opt_out.txt").read_text(encoding="utf-8")
    assert keyword in opt_out_line
    language = parse_tag(locale).language
    for intent in (KeywordIntent.HELP, KeywordIntent.OPT_IN, KeywordIntent.CONFIRM_OPT_OUT):
        assert keyword in REPLIES[language][intent], (locale, intent)
    assert keyword in routing._NOTHING_ACTIVE[language]
