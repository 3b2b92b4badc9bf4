"""Sealed store columns: no plaintext at rest, old keys still open, tampering refused."""

from __future__ import annotations

import pytest

from privacy.keys import parse_keys
from privacy.sealed import MalformedSealError, PayloadIntegrityError, Sealer, UnknownKeyError
from tests.helpers.temporal import settings_for_tests

KEY_A, KEY_B = b"a" * 32, b"b" * 32
SECRET = b'{"phone": "+14155550123"}'


def test_sealed_bytes_round_trip_and_hold_no_plaintext() -> None:
    sealer = Sealer({"k1": KEY_A}, "k1")
    sealed = sealer.seal(SECRET)
    assert b"+14155550123" not in sealed
    assert sealer.open(sealed) == SECRET
    assert sealer.seal(SECRET) != sealed  # a fresh nonce each time


def test_a_row_sealed_with_an_older_key_still_opens_after_rotation() -> None:
    written_before = Sealer({"k1": KEY_A}, "k1").seal(SECRET)
    rotated = Sealer({"k2": KEY_B, "k1": KEY_A}, "k2")
    assert rotated.open(written_before) == SECRET
    # the other way round: a process not given the new key cannot open what it seals
    with pytest.raises(UnknownKeyError, match="'k2'"):
        Sealer({"k1": KEY_A}, "k1").open(rotated.seal(b"x"))


def test_a_tampered_or_truncated_blob_is_refused() -> None:
    sealer = Sealer({"k1": KEY_A}, "k1")
    sealed = bytearray(sealer.seal(SECRET))
    sealed[-1] ^= 1
    with pytest.raises(PayloadIntegrityError, match="fails authentication"):
        sealer.open(bytes(sealed))
    with pytest.raises(PayloadIntegrityError):
        sealer.open(sealer.seal(SECRET)[:20])


def test_bytes_that_were_never_sealed_are_refused() -> None:
    sealer = Sealer({"k1": KEY_A}, "k1")
    for blob in (b"", SECRET, b"HS1"):
        with pytest.raises(MalformedSealError):
            sealer.open(blob)


def test_a_key_under_another_id_does_not_open_it() -> None:
    sealed = Sealer({"k1": KEY_A}, "k1").seal(SECRET)
    with pytest.raises(PayloadIntegrityError):
        Sealer({"k1": KEY_B}, "k1").open(sealed)


def test_the_sealer_from_settings_uses_the_newest_key() -> None:
    settings = settings_for_tests()
    keys, current = parse_keys(settings.payload_keys.get_secret_value())
    sealed = Sealer.from_settings(settings).seal(SECRET)
    assert sealed[4 : 4 + len(current)] == current.encode()
    assert Sealer(keys, current).open(sealed) == SECRET
