"""E-mail open tracking: a one-pixel image whose URL names the message, signed.

The token is the message key with an HMAC (keyed from the payload encryption key), so
nobody can mark another message opened or learn keys by guessing. No pixel goes to a
customer who turned off any e-mail notification (their wish for less from us covers being
watched), nor anywhere when ``HERALD_EMAIL_OPEN_TRACKING`` is false.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from config.settings import Settings
from privacy.keys import load_keys

PIXEL_PATH = "/t/open"
# A transparent 1x1 GIF: what mail clients fetch when images are shown.
PIXEL_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _signing_key(settings: Settings) -> bytes:
    keys, current = load_keys(settings)
    return hashlib.sha256(b"herald-open-tracking:" + keys[current]).digest()


def token_for(message_key: str, settings: Settings) -> str:
    key = base64.urlsafe_b64encode(message_key.encode()).decode().rstrip("=")
    mac = hmac.new(_signing_key(settings), message_key.encode(), hashlib.sha256).hexdigest()
    return f"{key}.{mac[:32]}"


def message_key_of(token: str, settings: Settings) -> str | None:
    """The message key a genuine token names; None for a forged or damaged one."""
    encoded, _, mac = token.removesuffix(".gif").partition(".")
    try:
        message_key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    expected = token_for(message_key, settings).partition(".")[2]
    # As bytes: compare_digest refuses str with non-ASCII characters (a forged token).
    return message_key if hmac.compare_digest(expected.encode(), mac.encode()) else None


def pixel_url(message_key: str, settings: Settings) -> str:
    base = settings.effective_public_base_url.rstrip("/")
    return f"{base}{PIXEL_PATH}/{token_for(message_key, settings)}.gif"


def with_pixel(html: str, message_key: str, settings: Settings) -> str:
    img = f'<img src="{pixel_url(message_key, settings)}" width="1" height="1" alt="">'
    if "</body>" in html:
        return html.replace("</body>", f"{img}</body>", 1)
    return html + img
