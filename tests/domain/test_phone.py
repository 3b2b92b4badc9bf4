"""Phone numbers: validation, masking and the parse cache behind them."""

from __future__ import annotations

import pytest

from domain.phone import InvalidPhoneNumber, mask_phone, normalize_e164, region_of
from policy.rules import SenderType
from policy.senders import UnknownSender, sender_type


def test_a_number_is_normalized_to_e164() -> None:
    assert normalize_e164("+1 (212) 555-0123") == "+12125550123"
    assert normalize_e164("+4930901820") == "+4930901820"


@pytest.mark.parametrize("raw", ["", "hello", "+1212", "+999123456789"])
def test_a_bad_number_is_refused_every_time_it_is_seen(raw: str) -> None:
    """Failures are not cached: the second look raises exactly like the first."""
    for _ in range(2):
        with pytest.raises(InvalidPhoneNumber):
            normalize_e164(raw)


def test_repeated_numbers_are_parsed_once() -> None:
    number = "+12125550188"
    normalize_e164(number)
    hits = normalize_e164.cache_info().hits
    assert normalize_e164(number) == number
    assert normalize_e164.cache_info().hits == hits + 1


def test_masking_and_region_are_the_same_from_the_cache() -> None:
    for _ in range(2):
        assert mask_phone("+12125550167") == "+1********67"
        assert region_of("+4930901820") == "DE"
        assert region_of("not a number") is None


def test_a_sender_keeps_its_type_and_a_bad_one_keeps_failing() -> None:
    for _ in range(2):
        assert sender_type("+18005550100") is SenderType.TOLL_FREE
        assert sender_type("+12125550100") is SenderType.LONG_CODE
        with pytest.raises(UnknownSender):
            sender_type("+1")


def test_long_text_is_never_kept_in_the_cache() -> None:
    """Input from outside (a webhook, the preferences API) cannot fill the worker's memory."""
    junk = "+1" + "2" * 5000
    before = (mask_phone.cache_info().currsize, region_of.cache_info().currsize)
    for _ in range(2):
        assert mask_phone(junk).endswith("22")
        assert region_of(junk) is None
        with pytest.raises(InvalidPhoneNumber):
            normalize_e164(junk)
    after = (mask_phone.cache_info().currsize, region_of.cache_info().currsize)
    assert after == before
