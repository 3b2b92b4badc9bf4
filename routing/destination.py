"""The destination as routing sees it: country and number type, from ``phonenumbers``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import phonenumbers
from phonenumbers import PhoneNumberType

NumberType = Literal["mobile", "landline", "toll_free", "other"]

_TYPES: dict[int, NumberType] = {
    PhoneNumberType.MOBILE: "mobile",
    # Many countries (the US among them) cannot tell the two apart from the number alone:
    # routing treats them as mobile, which is what an SMS needs.
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.TOLL_FREE: "toll_free",
}


@dataclass(frozen=True)
class Destination:
    country: str  # ISO 3166 alpha-2, "" when unknown
    number_type: NumberType


@lru_cache(maxsize=4096)
def destination_of(e164: str) -> Destination:
    """Country and number type of an E.164 number; ValueError when it is no number."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number: {exc}") from exc
    # A number phonenumbers cannot place (an unassigned range) still belongs to its
    # calling code's main country: routed there rather than by the "*" rule.
    country = phonenumbers.region_code_for_number(
        parsed
    ) or phonenumbers.region_code_for_country_code(parsed.country_code)
    country = "" if country == "ZZ" else country
    kind = _TYPES.get(phonenumbers.number_type(parsed), "other")
    return Destination(country=country, number_type=kind)
