"""Who may read or change customer data over HTTP: one credential check for every route.

Every route that reveals or changes a customer's data (preferences, consent, the Web UI's
codec, the API description) depends on :func:`require_credential`. A caller proves itself
with ``Authorization: Bearer <token>`` (the scheme in any case, as RFC 7235 says), where
the token is one of ``HERALD_API_TOKENS`` (comma separated, so a token can be rotated), or,
when ``HERALD_CODEC_OIDC_JWKS_URL`` is set, the Web UI user's own OIDC access token
(the UI's ``TEMPORAL_CODEC_PASS_ACCESS_TOKEN=true``), checked against the identity
provider's keys, issuer and audience.

Without any token configured the service is open only when it listens on loopback (the
development stack), and then only to callers on loopback (uvicorn may have been told another
host than ``HERALD_HTTP_HOST``): :func:`access_mode` says so, and the app logs it at start.
On any other host it refuses to start (config/validation.py), so no deployment runs open by
forgetting.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import jwt
from fastapi import Header, HTTPException, Request, status

from config.settings import Settings

log = logging.getLogger(__name__)

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
OPEN_ON_LOOPBACK = (
    "no HERALD_API_TOKENS set: customer data (preferences, consent, codec) is open to "
    "anyone who can reach {host}, which is loopback; set HERALD_API_TOKENS before "
    "listening anywhere else"
)


def is_loopback(host: str) -> bool:
    if host.strip().lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def api_tokens(settings: Settings) -> list[str]:
    raw = settings.api_tokens.get_secret_value()
    return [token.strip() for token in raw.split(",") if token.strip()]


def access_mode(settings: Settings) -> str:
    """``"token"`` when a credential is required, ``"open"`` on loopback without one."""
    if api_tokens(settings) or settings.codec_oidc_jwks_url:
        return "token"
    return "open"


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header; None for anything else."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def token_matches(given: str, expected: list[str]) -> bool:
    """Constant time per configured token, and every token compared (no early exit)."""
    found = False
    for token in expected:
        found |= hmac.compare_digest(given.encode(), token.encode())
    return found


@dataclass(frozen=True)
class OidcVerifier:
    """The Web UI user's access token: signed by the identity provider, for our audience."""

    issuer: str
    audience: str
    signing_key: Callable[[str], Any]  # token -> the key that signed it (from the JWKS)

    @classmethod
    def from_settings(cls, settings: Settings) -> OidcVerifier | None:
        if not settings.codec_oidc_jwks_url:
            return None
        keys = jwt.PyJWKClient(settings.codec_oidc_jwks_url, cache_keys=True)
        return cls(
            issuer=settings.codec_oidc_issuer,
            audience=settings.codec_oidc_audience,
            signing_key=lambda token: keys.get_signing_key_from_jwt(token).key,
        )

    def verify(self, token: str) -> bool:
        try:
            jwt.decode(
                token,
                self.signing_key(token),
                algorithms=["RS256", "ES256", "PS256"],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iss", "aud"]},
            )
        except (jwt.PyJWTError, ValueError):
            return False
        return True


def require_credential(
    settings: Settings, *, oidc: OidcVerifier | None = None, accept_oidc: bool = False
) -> Callable[..., None]:
    """A FastAPI dependency: 401 unless the request carries an accepted bearer token.

    ``accept_oidc``: the route also takes the Web UI user's OIDC access token (the codec).
    """
    tokens = api_tokens(settings)
    verifier = (oidc or OidcVerifier.from_settings(settings)) if accept_oidc else None
    open_access = not tokens and (
        not settings.codec_oidc_jwks_url and is_loopback(settings.http_host)
    )

    def check(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
        if open_access and request.client is not None and is_loopback(request.client.host):
            return
        given = bearer_token(authorization)
        if given is not None and (
            token_matches(given, tokens) or (verifier is not None and verifier.verify(given))
        ):
            return
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "a valid 'Authorization: Bearer <token>' header is required",
            headers={"WWW-Authenticate": "Bearer"},
        )

    return check


def log_access_mode(settings: Settings) -> None:
    if access_mode(settings) == "open":
        log.warning(OPEN_ON_LOOPBACK.format(host=settings.http_host))
