"""How many SMS segments a text costs, roughly as a carrier counts them: the sandbox's
stand-ins report it (Twilio's ``num_segments``, Plivo's ``units``, an inbound's
``NumSegments``)."""

from __future__ import annotations

import math

_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")  # each costs an escape plus the character


def count_segments(body: str) -> int:
    """Rough SMS segment count: GSM-7 160/153 characters, otherwise UCS-2 70/67 code units."""
    if all(ch in _GSM7_BASIC or ch in _GSM7_EXTENDED for ch in body):
        units = sum(2 if ch in _GSM7_EXTENDED else 1 for ch in body)
        single, multi = 160, 153
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, multi = 70, 67
    return 1 if units <= single else math.ceil(units / multi)
