"""AES-GCM encryption of every payload Herald hands to Temporal.

Workflow inputs, signals and activity inputs carry phone numbers and e-mail addresses; with
this codec the Temporal server, its database and its backups hold only ciphertext. The key id
travels in each payload's metadata, so keys can rotate: the newest encrypts, every configured
key still decrypts. Payloads without our encoding (older, unencrypted history) pass through.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

from privacy.aead import NONCE_BYTES, KeyRing, PayloadIntegrityError, UnknownKeyError

__all__ = [
    "ENCODING",
    "KEY_ID_METADATA",
    "NONCE_BYTES",
    "EncryptionCodec",
    "PayloadIntegrityError",
    "UnknownKeyError",
]

ENCODING = b"binary/encrypted"
KEY_ID_METADATA = "encryption-key-id"


class EncryptionCodec(PayloadCodec):
    def __init__(self, keys: dict[str, bytes], current_key_id: str) -> None:
        self._ring = KeyRing(keys, current_key_id)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        current = self._ring.current_key_id
        return [
            Payload(
                metadata={"encoding": ENCODING, KEY_ID_METADATA: current.encode()},
                data=self._ring.encrypt(payload.SerializeToString()),
            )
            for payload in payloads
        ]

    async def decode(self, payloads: Iterable[Payload]) -> list[Payload]:
        return [self._decode_one(payload) for payload in payloads]

    def _decode_one(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload
        key_id = payload.metadata.get(KEY_ID_METADATA, b"").decode()
        return Payload.FromString(self._ring.decrypt(key_id, payload.data))
