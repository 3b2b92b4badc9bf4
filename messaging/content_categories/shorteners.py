"""Public URL shorteners: carriers block them, since anyone can hide any link behind one;
a brand links from its own domain."""

from __future__ import annotations

import re

from messaging.content_categories.rule import ContentRule, make_rule

_SHORTENERS = [
    "bit.ly",
    "bitly.com",
    "tinyurl.com",
    "goo.gl",
    "t.co",
    "ow.ly",
    "is.gd",
    "v.gd",
    "buff.ly",
    "rebrand.ly",
    "cutt.ly",
    "shorturl.at",
    "tiny.cc",
    "tiny.one",
    "rb.gy",
    "bl.ink",
    "t.ly",
    "s.id",
    "adf.ly",
    "shorte.st",
    "lnkd.in",
    "tr.im",
    "x.co",
    "soo.gd",
    "clck.ru",
    "u.to",
    "qr.net",
    "t.me",
    "wa.me",
    "shrtco.de",
    "9qr.de",
    "urlz.fr",
    "dlvr.it",
    "surl.li",
    "short.io",
]

RULES: tuple[ContentRule, ...] = (
    make_rule(
        "url-shortener",
        "public URL shortener (carriers block them; use the brand's own domain)",
        [],
        [
            r"(?<![a-z0-9.-])(?:"
            + "|".join(re.escape(domain) for domain in _SHORTENERS)
            + r")(?![a-z0-9-])"
        ],
    ),
)
