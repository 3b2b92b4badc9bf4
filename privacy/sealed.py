"""Sealed columns: bytes the store keeps encrypted because they hold contact details.

The intake keeps canonical events and raw source payloads (phone numbers, e-mail addresses)
in its own tables; sealed, the database and its backups hold only ciphertext. A sealed blob
names the key that sealed it, so after a rotation (a new key first in HERALD_PAYLOAD_KEYS,
the old ones kept after it) rows written before still open. Layout::

    b"HS1" | key id length (1 byte) | key id (UTF-8) | nonce (12 bytes) | ciphertext+tag
"""

from __future__ import annotations

from config.settings import Settings
from privacy.aead import KeyRing, PayloadIntegrityError, UnknownKeyError
from privacy.keys import load_keys

__all__ = ["MalformedSealError", "PayloadIntegrityError", "Sealer", "UnknownKeyError"]

MAGIC = b"HS1"  # Herald sealed, version 1


class MalformedSealError(ValueError):
    """The bytes were not written by :meth:`Sealer.seal` (or lost their header)."""


class Sealer:
    """``open`` raises MalformedSealError, UnknownKeyError or PayloadIntegrityError (all
    ValueError) rather than ever returning bytes that were not sealed as they are."""

    def __init__(self, keys: dict[str, bytes], current_key_id: str) -> None:
        key_id = current_key_id.encode()
        if len(key_id) > 255:
            raise ValueError("a key id for sealed columns is at most 255 bytes")
        self._ring = KeyRing(keys, current_key_id)
        self._header = MAGIC + bytes([len(key_id)]) + key_id

    @classmethod
    def from_settings(cls, settings: Settings) -> Sealer:
        keys, current = load_keys(settings)
        return cls(keys, current)

    def seal(self, data: bytes) -> bytes:
        return self._header + self._ring.encrypt(data)

    def open(self, sealed: bytes) -> bytes:
        start = len(MAGIC) + 1
        if not sealed.startswith(MAGIC) or len(sealed) < start:
            raise MalformedSealError("not sealed data: its header is missing")
        end = start + sealed[len(MAGIC)]
        try:
            key_id = sealed[start:end].decode()
        except UnicodeDecodeError as exc:
            raise MalformedSealError("not sealed data: its key id is unreadable") from exc
        return self._ring.decrypt(key_id, sealed[end:], what="sealed data")
