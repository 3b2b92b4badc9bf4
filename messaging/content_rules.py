"""What carriers filter, in the 12 shipped languages: the rules of the content filter.

The categories follow CTIA's Messaging Principles and Best Practices and the carriers'
codes of conduct: SHAFT (sex, hate, alcohol, firearms, tobacco and cannabis), phishing
and fake fees, prize and lottery bait, loans and debt relief, crypto giveaways, medical
claims, public URL shorteners.

Patterns are written against the filter's skeleton of a text (see
:mod:`messaging.content_filter`): lower case, no accents, look-alike letters and digits
already turned into the letters they imitate, spaced-out letters joined. Latin, Greek
and Cyrillic terms match whole words; Japanese, Chinese and Arabic terms match anywhere.
``allowed`` lists the ordinary phrases a term appears in (a glue gun, a wine rack, the
band The Cure, the Wine Country hub): a match inside one of them is not a finding.

The tables are in :mod:`messaging.content_categories`, a module per category; this module
gathers them into ``RULES``, in the order the filter reports findings.
"""

from __future__ import annotations

from messaging.content_categories import (
    crypto,
    loans,
    medical,
    phishing,
    prizes,
    shaft,
    shorteners,
)
from messaging.content_categories.rule import ContentRule

__all__ = ["RULES", "ContentRule"]

RULES: tuple[ContentRule, ...] = (
    *prizes.RULES,
    *phishing.RULES,
    *loans.RULES,
    *crypto.RULES,
    *medical.RULES,
    *shaft.RULES,
    *shorteners.RULES,
)
