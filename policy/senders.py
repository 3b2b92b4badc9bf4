"""Senders: what kind a sender string is, its throughput limits, and provider back-pressure."""

from __future__ import annotations

import math
import re
from functools import lru_cache

import phonenumbers

from policy.rules import PolicyRules, SenderLimit, SenderType

_MESSAGING_SERVICE = re.compile(r"^MG[0-9a-fA-F]{32}$")
_ALMOST_MESSAGING_SERVICE = re.compile(r"^MG[0-9a-fA-F]+$")  # a SID cut short or padded
_SHORT_CODE = re.compile(r"^[0-9]{5,6}$")
_ALPHANUMERIC = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")
# North American toll-free area codes (the numbering plan reserves 8XX with X repeated).
NANP_TOLL_FREE_AREA_CODES = frozenset({"800", "833", "844", "855", "866", "877", "888"})

# Twilio's words for "slow down": 20429 Too Many Requests, 14107 send rate limit
# exceeded, 30001 queue overflow (the sender's queue at Twilio is full).
BACK_PRESSURE_ERROR_CODES = frozenset({"20429", "14107", "30001"})


class UnknownSender(ValueError):
    """The sender is not a phone number, short code, messaging service or sender name."""


@lru_cache(maxsize=64)  # a handful of senders per deployment; each check parses the number
def sender_type(sender: str) -> SenderType:
    sender = sender.strip()
    if _MESSAGING_SERVICE.match(sender):
        return SenderType.MESSAGING_SERVICE
    if _ALMOST_MESSAGING_SERVICE.match(sender):
        raise UnknownSender("a messaging service SID is MG and 32 hexadecimal digits")
    if _SHORT_CODE.match(sender):
        return SenderType.SHORT_CODE
    if sender.startswith("+"):
        return SenderType.TOLL_FREE if _is_toll_free(sender) else SenderType.LONG_CODE
    if _ALPHANUMERIC.match(sender):
        return SenderType.ALPHANUMERIC
    raise UnknownSender(f"{sender[:3]}... is not a recognizable SMS sender")


def sender_limit(sender: str, rules: PolicyRules) -> SenderLimit:
    """The sender's own configured limit, else its type's."""
    return rules.sender_overrides.get(sender) or rules.sender_limits[sender_type(sender)]


def window_allowance(messages_per_second: float) -> tuple[int, float]:
    """How many sends a sliding window admits, and the window's length in seconds.

    Never more than the limit in any one second: 100/s gives 100 per 1 s; 0.5/s one per
    2 s; a fractional 2.5/s rounds down to 2 per 1 s (2.5 cannot fit a one-second window).
    """
    if messages_per_second <= 0:
        raise ValueError("messages_per_second must be positive")
    permits = max(1, math.floor(messages_per_second + 1e-9))
    return permits, max(1.0, permits / messages_per_second)


def is_back_pressure(http_status: int | None, error_code: str | None) -> bool:
    """Whether the provider asked us to slow down (not a refusal of this one message)."""
    return http_status == 429 or (error_code or "") in BACK_PRESSURE_ERROR_CODES


def _is_toll_free(e164: str) -> bool:
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException as exc:
        raise UnknownSender("the sender looks like a phone number but is not one") from exc
    national = str(parsed.national_number)
    if parsed.country_code == 1 and national[:3] in NANP_TOLL_FREE_AREA_CODES:
        return True
    return phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.TOLL_FREE
