"""AES-GCM encryption of every payload Herald hands to Temporal.

Workflow inputs, signals and activity inputs carry phone numbers and e-mail addresses; with
this codec the Temporal server, its database and its backups hold only ciphertext. The key id
travels in each payload's metadata, so keys can rotate: the newest encrypts, every configured
key still decrypts. Payloads without our encoding (older, unencrypted history) pass through.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

ENCODING = b"binary/encrypted"
KEY_ID_METADATA = "encryption-key-id"
NONCE_BYTES = 12


class UnknownKeyError(ValueError):
    """A payload was encrypted with a key this process was not given."""


class PayloadIntegrityError(ValueError):
    """A payload under a known key fails authentication: tampered, truncated or forged."""


class EncryptionCodec(PayloadCodec):
    def __init__(self, keys: dict[str, bytes], current_key_id: str) -> None:
        if current_key_id not in keys:
            raise ValueError(f"current key {current_key_id!r} is not among the keys")
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._current = current_key_id

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        cipher = self._ciphers[self._current]
        return [
            Payload(
                metadata={"encoding": ENCODING, KEY_ID_METADATA: self._current.encode()},
                data=_encrypt(cipher, payload.SerializeToString()),
            )
            for payload in payloads
        ]

    async def decode(self, payloads: Iterable[Payload]) -> list[Payload]:
        return [self._decode_one(payload) for payload in payloads]

    def _decode_one(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload
        key_id = payload.metadata.get(KEY_ID_METADATA, b"").decode()
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise UnknownKeyError(f"payload encrypted with unknown key id {key_id!r}")
        try:
            plain = cipher.decrypt(payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:], None)
        except (InvalidTag, ValueError) as exc:
            raise PayloadIntegrityError(
                f"payload under key id {key_id!r} fails authentication (tampered or truncated)"
            ) from exc
        return Payload.FromString(plain)


def _encrypt(cipher: AESGCM, data: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)  # random per payload: GCM must never reuse a nonce
    return nonce + cipher.encrypt(nonce, data, None)
