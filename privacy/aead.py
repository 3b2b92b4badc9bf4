"""AES-GCM under a ring of keys: the newest encrypts, every configured key still decrypts.

Shared by the Temporal payload codec (privacy/codec.py) and the store's sealed columns
(privacy/sealed.py), so both rotate keys the same way and refuse tampering the same way.
Where the key id travels is each caller's business (payload metadata, a sealed header).
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class UnknownKeyError(ValueError):
    """A payload was encrypted with a key this process was not given."""


class PayloadIntegrityError(ValueError):
    """A payload under a known key fails authentication: tampered, truncated or forged."""


class KeyRing:
    def __init__(self, keys: dict[str, bytes], current_key_id: str) -> None:
        if current_key_id not in keys:
            raise ValueError(f"current key {current_key_id!r} is not among the keys")
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self.current_key_id = current_key_id

    def encrypt(self, data: bytes) -> bytes:
        """Nonce then ciphertext, under the current key."""
        nonce = os.urandom(NONCE_BYTES)  # random per payload: GCM must never reuse a nonce
        return nonce + self._ciphers[self.current_key_id].encrypt(nonce, data, None)

    def decrypt(self, key_id: str, data: bytes, *, what: str = "payload") -> bytes:
        """``data`` as :meth:`encrypt` wrote it under ``key_id``; ``what`` names it in errors."""
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise UnknownKeyError(f"{what} encrypted with unknown key id {key_id!r}")
        try:
            return cipher.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], None)
        except (InvalidTag, ValueError) as exc:
            raise PayloadIntegrityError(
                f"{what} under key id {key_id!r} fails authentication (tampered or truncated)"
            ) from exc
