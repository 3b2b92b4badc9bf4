"""Point a ``requests``-based SDK at a base URL it cannot be told about.

The Vonage SDK always builds ``https://{host}{path}`` and the Plivo SDK always calls
``https://api.plivo.com``; neither takes a base URL. A transport adapter mounted on the
SDK's ``requests`` session (requests' own extension point) rewrites those URLs to the
configured base, such as the local sandbox over plain HTTP. Nothing is mounted when the
configured base is the provider's own, so real credentials change no code path.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from requests import PreparedRequest, Response, Session
from requests.adapters import HTTPAdapter


class RebasingAdapter(HTTPAdapter):
    """Sends requests for ``https://<from_host>`` to ``target`` (scheme, host and port)."""

    def __init__(self, target: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        parts = urlsplit(target)
        self._scheme, self._netloc = parts.scheme, parts.netloc
        self._prefix = parts.path.rstrip("/")

    def send(self, request: PreparedRequest, **kwargs: Any) -> Response:  # type: ignore[override]
        parts = urlsplit(request.url or "")
        request.url = urlunsplit(
            (self._scheme, self._netloc, self._prefix + parts.path, parts.query, "")
        )
        return super().send(request, **kwargs)


def rebase(session: Session, provider_origin: str, target: str) -> None:
    """Send ``session``'s requests for ``provider_origin`` to ``target`` instead, unless
    ``target`` is that origin."""
    if target.rstrip("/") == provider_origin.rstrip("/"):
        return
    session.mount(provider_origin.rstrip("/") + "/", RebasingAdapter(target))
