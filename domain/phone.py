"""Phone numbers: strict E.164 validation and the masked form shown to people."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TypeVar

import phonenumbers

# Parsing a number costs 9 us, validating it 18. A worker sees the same few numbers (its
# senders, the customers of the orders in flight) again and again: validators, the policy,
# masking.
PARSED_NUMBERS_CACHED = 4096
# Longer text is no phone number (E.164 has at most 16 characters; formatted input a few
# more). It is worked out every time, never kept: input from outside cannot fill memory.
LONGEST_CACHED_INPUT = 40

Result = TypeVar("Result")


def _cached_for_phone_numbers(func: Callable[[str], Result]) -> Callable[[str], Result]:
    cached = lru_cache(maxsize=PARSED_NUMBERS_CACHED)(func)

    @wraps(func)
    def lookup(text: str) -> Result:
        return cached(text) if len(text) <= LONGEST_CACHED_INPUT else func(text)

    lookup.cache_info = cached.cache_info  # type: ignore[attr-defined]
    return lookup


class InvalidPhoneNumber(ValueError):
    """The text is not a valid, dialable E.164 phone number."""


@_cached_for_phone_numbers
def normalize_e164(raw: str) -> str:
    """Return ``raw`` in E.164 form, or raise :class:`InvalidPhoneNumber` saying why."""
    try:
        parsed = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(f"{mask_phone(raw)!r} is not a phone number: {exc}") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneNumber(f"{mask_phone(raw)!r} is not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@_cached_for_phone_numbers
def region_of(e164: str) -> str | None:
    """ISO country code of a number (``US``, ``DE``...), or None when unknown."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return None


@_cached_for_phone_numbers
def mask_phone(number: str) -> str:
    """Keep the country code and the last two digits: ``+1********67``.

    Support can tell two numbers apart and confirm one read out by a customer, but the
    history, the store and the Web UI never hold a number someone could text.
    """
    digits = "".join(c for c in number if c.isdigit())
    if len(digits) <= 4:
        return "*" * len(digits)
    country = ""
    if number.startswith("+"):
        try:
            country = str(phonenumbers.parse(number, None).country_code)
        except phonenumbers.NumberParseException:
            country = digits[:1]
    hidden = len(digits) - len(country) - 2
    return f"{'+' if country else ''}{country}{'*' * hidden}{digits[-2:]}"


def mask_email(address: str) -> str:
    """``j***@example.com``: enough to recognise, not enough to write to."""
    local, sep, domain = address.partition("@")
    if not sep:
        return "***"
    return f"{local[:1]}***@{domain}"
