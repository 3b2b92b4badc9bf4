"""A Shopify dead letter's envelope: the body kept byte for byte (as text when it is UTF-8,
as base64 when not), the same webhook the same bytes, and anything else no envelope."""

from __future__ import annotations

import json

import pytest

from intake.source import IntakeRefused
from intake.sources.shopify_letter import ShopifyLetter

HEADERS = {"topic": "orders/create", "shop": "a.myshopify.com", "webhook_id": "w-1"}


@pytest.mark.parametrize(
    "raw",
    [
        b'{"id": 1, "note": "Gr\xc3\xbc\xc3\x9fe \xe2\x80\x94 caf\xc3\xa9"}\r\n  ',  # UTF-8, CRLF
        b'{"id":1}',
        b"",
        b"\xff\xfe not UTF-8 \x80",  # what a broken proxy might send
    ],
    ids=["utf8-crlf", "compact", "empty", "not-utf8"],
)
def test_the_body_comes_back_byte_for_byte(raw: bytes) -> None:
    kept = ShopifyLetter.of(raw, hmac_sha256="c2ln", **HEADERS).letter()
    read = ShopifyLetter.from_letter(kept)
    assert read.raw == raw
    assert (read.topic, read.shop, read.webhook_id, read.hmac_sha256) == (
        "orders/create",
        "a.myshopify.com",
        "w-1",
        "c2ln",
    )


def test_utf8_is_kept_as_readable_text_and_anything_else_as_base64() -> None:
    text = json.loads(ShopifyLetter.of(b'{"id": 1}', hmac_sha256=None, **HEADERS).letter())
    assert text["body"] == '{"id": 1}' and "body_base64" not in text
    binary = json.loads(ShopifyLetter.of(b"\xff", hmac_sha256=None, **HEADERS).letter())
    assert binary["body_base64"] == "/w==" and "body" not in binary


def test_the_same_webhook_again_is_the_same_letter() -> None:
    """The same bytes: the dead letter's fingerprint counts a redelivery, not a new one."""
    first = ShopifyLetter.of(b'{"id": 1}', hmac_sha256="x", **HEADERS).letter()
    again = ShopifyLetter.of(b'{"id": 1}', hmac_sha256="x", **HEADERS).letter()
    assert first == again


def test_a_missing_webhook_id_or_signature_is_kept_as_none() -> None:
    letter = ShopifyLetter.of(b"{}", topic="t", shop="s", webhook_id="", hmac_sha256="")
    assert (letter.webhook_id, letter.hmac_sha256) == (None, None)


@pytest.mark.parametrize(
    "payload",
    [
        b'{"id": 5610000001001}',  # a body kept before envelopes
        b"{not json",
        b'{"topic": "t", "shop": "s"}',  # no body at all
        b'{"topic": "t", "shop": "s", "body": "{}", "body_base64": "e30="}',  # two
        b'{"topic": "t", "shop": "s", "body_base64": "%%%"}',
    ],
    ids=["bare-body", "not-json", "no-body", "two-bodies", "bad-base64"],
)
def test_anything_else_is_no_envelope_and_says_how_to_recover(payload: bytes) -> None:
    with pytest.raises(IntakeRefused, match="have Shopify resend the webhook"):
        ShopifyLetter.from_letter(payload)
