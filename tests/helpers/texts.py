"""What every customer-facing text is checked against: the shipped locales, the brand,
and the keywords a text tells the customer to reply with."""

from __future__ import annotations

import re

from messaging.brand import Brand

SHIPPED_LOCALES = ("en", "es", "fr", "de", "it", "pt-BR", "nl", "pl", "tr", "ja", "zh-Hans", "ar")
UCS2_LOCALES = frozenset({"ja", "zh-Hans", "ar"})

BRAND = Brand(
    name="Herald Shop",
    support_contact="support@herald.example",
    tracking_base_url="https://track.herald.example",
)

# "Reply STOP", "回复TD退订", "「停止」と返信", "“订阅”", "«إيقاف»".
_SUGGESTED = re.compile(r"「(.+?)」|“(.+?)”|«(.+?)»|([A-Z][A-Z-]+(?: [A-Z]{2,})*)")


def opens_with_brand(text: str, brand: Brand = BRAND) -> bool:
    """ "Herald Shop: ...", or "【Herald Shop】..." as Japanese and Chinese senders write it."""
    return text.startswith((f"{brand.name}: ", f"【{brand.name}】"))


def suggested_replies(text: str) -> list[str]:
    """The words a text asks the customer to send back, quoted or in capitals."""
    return [next(group for group in match.groups() if group) for match in _SUGGESTED.finditer(text)]
