"""Where the payload keys come from: settings in production, a generated file in development."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from config.settings import Settings

KEY_BYTES = 32  # AES-256


class KeyConfigurationError(ValueError):
    """``HERALD_PAYLOAD_KEYS`` is malformed."""


def parse_keys(spec: str) -> tuple[dict[str, bytes], str]:
    """``"id2:base64key,id1:base64key"`` -> keys by id, and the first id (the current one)."""
    keys: dict[str, bytes] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        key_id, sep, encoded = item.partition(":")
        if not sep or not key_id:
            raise KeyConfigurationError(
                "payload keys are written 'key-id:base64-key', comma separated"
            )
        key = base64.b64decode(encoded, validate=True)
        if len(key) != KEY_BYTES:
            raise KeyConfigurationError(f"key {key_id!r} has {len(key)} bytes, not {KEY_BYTES}")
        keys[key_id] = key
    if not keys:
        raise KeyConfigurationError("no payload keys given")
    return keys, next(iter(keys))


def load_keys(settings: Settings) -> tuple[dict[str, bytes], str]:
    spec = settings.payload_keys.get_secret_value()
    return parse_keys(spec or _development_key(settings.data_dir))


def _development_key(data_dir: Path) -> str:
    """One random key per checkout, kept beside the dev server's database (never committed)."""
    path = data_dir / "payload-key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        encoded = base64.b64encode(os.urandom(KEY_BYTES)).decode()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(f"dev:{encoded}\n")
    return path.read_text().strip()
