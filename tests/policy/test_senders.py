"""Sender kinds, their limits, window allowances and back-pressure signals."""

import pytest

from policy.rules import PolicyRules, SenderLimit, SenderType
from policy.senders import (
    UnknownSender,
    is_back_pressure,
    sender_limit,
    sender_type,
    window_allowance,
)


@pytest.mark.parametrize(
    ("sender", "kind"),
    [
        ("+14155550167", SenderType.LONG_CODE),
        ("+15005550006", SenderType.LONG_CODE),
        ("+447700900123", SenderType.LONG_CODE),
        ("+18885550100", SenderType.TOLL_FREE),
        ("+18335550100", SenderType.TOLL_FREE),
        ("+448001234567", SenderType.TOLL_FREE),  # UK freephone
        ("12345", SenderType.SHORT_CODE),
        ("898211", SenderType.SHORT_CODE),
        ("MG" + "0123456789abcdef" * 2, SenderType.MESSAGING_SERVICE),
        ("HeraldShop", SenderType.ALPHANUMERIC),
    ],
)
def test_sender_kinds(sender: str, kind: SenderType) -> None:
    assert sender_type(sender) is kind


@pytest.mark.parametrize(
    "sender", ["1234", "1234567", "MG123", "+1 not a number", "Herald Shop 2026"]
)
def test_unrecognizable_senders_are_refused(sender: str) -> None:
    with pytest.raises(UnknownSender):
        sender_type(sender)


def test_limits_come_from_the_sender_then_its_kind() -> None:
    rules = PolicyRules(sender_overrides={"12345": SenderLimit(messages_per_second=30)})

    assert sender_limit("12345", rules).messages_per_second == 30
    assert sender_limit("67890", rules).messages_per_second == 100
    assert sender_limit("+18885550100", rules).messages_per_second == 3
    assert sender_limit("+14155550167", rules).daily_cap == 2000


@pytest.mark.parametrize(
    ("rate", "allowance"),
    [(1.0, (1, 1.0)), (100.0, (100, 1.0)), (0.5, (1, 2.0)), (0.25, (1, 4.0)), (2.5, (2, 1.0))],
)
def test_window_allowance_never_exceeds_the_rate_in_one_second(
    rate: float, allowance: tuple[int, float]
) -> None:
    permits, window = window_allowance(rate)

    assert (permits, window) == allowance
    assert permits / window <= rate


def test_a_rate_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        window_allowance(0)


@pytest.mark.parametrize(
    ("status", "code", "slow_down"),
    [
        (429, "20429", True),
        (429, None, True),
        (400, "14107", True),
        (None, "30001", True),  # queue overflow, from a status callback
        (400, "21211", False),
        (500, None, False),
    ],
)
def test_back_pressure_signals(status: int | None, code: str | None, slow_down: bool) -> None:
    assert is_back_pressure(status, code) is slow_down
