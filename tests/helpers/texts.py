"""What every customer-facing text is checked against: the shipped locales, the brand,
and the keywords a text tells the customer to reply with."""

from __future__ import annotations

import re

from messaging.brand import Brand

SHIPPED_LOCALES = ("en", "es", "fr", "de", "it", "pt-BR", "nl", "pl", "tr", "ja", "zh-Hans", "ar")
UCS2_LOCALES = frozenset({"ja", "zh-Hans", "ar"})
# Latin-script locales whose templates need no letter outside GSM-7. The others (es, fr,
# pl, pt-BR, tr) keep their letters and travel as UCS-2, with a two-segment budget.
GSM7_LETTER_LOCALES = ("en", "de", "it", "nl")

BRAND = Brand(
    name="Herald Shop",
    support_contact="support@herald.example",
    tracking_base_url="https://track.herald.example",
)

# "Reply STOP", "回复TD退订", "「停止」と返信", "“订阅”", "«إيقاف»".
_CAPITAL = "A-ZÀ-ÖØ-ÞĞİŞ"
_SUGGESTED = re.compile(
    rf"「(.+?)」|“(.+?)”|«(.+?)»|([{_CAPITAL}][{_CAPITAL}-]+(?: [{_CAPITAL}]{{2,}})*)"
)


def opens_with_brand(text: str, brand: Brand = BRAND) -> bool:
    """ "Herald Shop: ...", "Herald Shop : ..." (French), or "【Herald Shop】..." as Japanese
    and Chinese senders write it; a right-to-left message may open with its mark."""
    opening = (f"{brand.name}: ", f"{brand.name} : ", f"【{brand.name}】")
    return text.removeprefix("\u200f").startswith(opening)


def suggested_replies(text: str) -> list[str]:
    """The words a text asks the customer to send back, quoted or in capitals."""
    return [next(group for group in match.groups() if group) for match in _SUGGESTED.finditer(text)]
