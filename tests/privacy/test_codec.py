import base64
import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.contrib.pydantic import pydantic_data_converter

from privacy.codec import EncryptionCodec, UnknownKeyError
from privacy.keys import KeyConfigurationError, parse_keys
from privacy.masking import mask_payload, mask_text
from tests.helpers.events import order_event
from tests.helpers.temporal import settings_for_tests

KEY_A, KEY_B = b"a" * 32, b"b" * 32


def json_payload(value: object) -> Payload:
    return pydantic_data_converter.payload_converter.to_payloads([value])[0]


async def test_payloads_round_trip_and_hold_no_plaintext() -> None:
    codec = EncryptionCodec({"k1": KEY_A}, "k1")
    event = order_event("shipped", "A1")
    original = json_payload(event)

    encrypted = await codec.encode([original])
    decoded = await codec.decode(encrypted)

    assert decoded == [original]
    assert event.customer.phone and event.customer.phone.encode() not in encrypted[0].data
    assert encrypted[0].metadata["encryption-key-id"] == b"k1"


async def test_rotated_keys_still_decrypt_old_payloads_and_unknown_ones_fail() -> None:
    old = EncryptionCodec({"k1": KEY_A}, "k1")
    rotated = EncryptionCodec({"k2": KEY_B, "k1": KEY_A}, "k2")
    stranger = EncryptionCodec({"k9": KEY_B}, "k9")
    payload = json_payload({"x": 1})
    written_before = await old.encode([payload])

    assert await rotated.decode(written_before) == [payload]
    assert (await rotated.encode([payload]))[0].metadata["encryption-key-id"] == b"k2"
    with pytest.raises(UnknownKeyError):
        await stranger.decode(written_before)


async def test_unencrypted_history_passes_through() -> None:
    codec = EncryptionCodec({"k1": KEY_A}, "k1")
    plain = json_payload({"older": "history"})
    assert await codec.decode([plain]) == [plain]


def test_key_specs_are_checked() -> None:
    good = base64.b64encode(KEY_A).decode()
    keys, current = parse_keys(f"new:{good}, old:{base64.b64encode(KEY_B).decode()}")
    assert current == "new" and keys["old"] == KEY_B
    for bad in ["", "nocolon", f"short:{base64.b64encode(b'x').decode()}", "k:not base64!"]:
        with pytest.raises((KeyConfigurationError, ValueError)):
            parse_keys(bad)


def test_masking_hides_numbers_and_addresses_in_nested_json() -> None:
    payload = json_payload(
        {
            "customer": {"phone": "+14155550167", "email": "ana@example.com"},
            "notes": ["call +447700900123"],
            "count": 3,
        }
    )
    masked = json.loads(mask_payload(payload).data)
    assert masked == {
        "customer": {"phone": "+1********67", "email": "a***@example.com"},
        "notes": ["call +44********23"],
        "count": 3,
    }
    assert mask_text("order 12345 for +4915123456789") == "order 12345 for +49*********89"


def codec_app(codec: EncryptionCodec) -> TestClient:
    from api.codec import create_codec_router

    app = FastAPI()
    app.include_router(create_codec_router(codec, settings_for_tests()))
    return TestClient(app, client=("127.0.0.1", 50000))  # a loopback caller


async def test_the_web_ui_codec_endpoint_decrypts_and_masks() -> None:
    codec = EncryptionCodec({"k1": KEY_A}, "k1")
    encrypted = await codec.encode([json_payload(order_event("shipped", "A1"))])
    body = json_format.MessageToJson(Payloads(payloads=encrypted))

    response = codec_app(codec).post("/codec/decode", content=body)

    assert response.status_code == 200
    decoded = json_format.Parse(response.content, Payloads()).payloads[0]
    event = json.loads(decoded.data)
    assert event["reference"] == "A1" and event["customer"]["phone"] == "+1********67"
    assert codec_app(codec).post("/codec/decode", content=b"{not json").status_code == 400
