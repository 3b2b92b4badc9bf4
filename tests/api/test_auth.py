"""api.auth and the app: customer data, the codec and the API description need a credential."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import OidcVerifier, bearer_token, is_loopback, require_credential
from config.validation import ConfigurationError
from store.migrate import upgrade
from tests.api.test_status_callbacks import RecordingClient
from tests.helpers.temporal import settings_for_tests

PHONE = {"phone": "+14155550167"}


@pytest.fixture
def service(tmp_path: Path) -> Iterator[TestClient]:
    settings = settings_for_tests(data_dir=tmp_path, api_tokens="old-token, s3cret")
    upgrade(settings.effective_database_url)
    app = create_app(settings, client=RecordingClient())  # type: ignore[arg-type]
    with TestClient(app) as http:
        yield http


@pytest.mark.parametrize(
    ("header", "status"),
    [
        (None, 401),
        ("s3cret", 401),  # no scheme: not a bearer credential
        ("Basic s3cret", 401),
        ("Bearer nope", 401),
        ("Bearer ", 401),
        ("Bearer s3cret", 200),
        ("bearer s3cret", 200),  # the scheme is case-insensitive (RFC 7235)
        ("BEARER   s3cret ", 200),
        ("Bearer old-token", 200),  # every configured token, for rotation
    ],
)
def test_customer_data_needs_a_bearer_token(
    service: TestClient, header: str | None, status: int
) -> None:
    headers = {"Authorization": header} if header is not None else {}

    assert service.post("/consent/lookup", json=PHONE, headers=headers).status_code == status


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/preferences/lookup"),
        ("put", "/preferences"),
        ("post", "/consent/lookup"),
        ("put", "/consent"),
        ("post", "/consent/reply"),
        ("post", "/codec/decode"),
        ("get", "/openapi.json"),
        ("get", "/docs"),
    ],
)
def test_every_customer_data_route_and_the_description_refuse_strangers(
    service: TestClient, method: str, path: str
) -> None:
    response = service.request(method, path, json={})

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_the_description_names_the_status_callback(service: TestClient) -> None:
    schema = service.get("/openapi.json", headers={"Authorization": "Bearer s3cret"}).json()

    assert "/twilio/status" in schema["paths"] and "/consent" in schema["paths"]
    assert service.get("/health").status_code in (200, 503)  # health stays open


def test_loopback_without_tokens_runs_open_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for_tests(data_dir=tmp_path, http_host="127.0.0.1")
    upgrade(settings.effective_database_url)
    app = create_app(settings, client=RecordingClient())  # type: ignore[arg-type]
    with TestClient(app, client=("127.0.0.1", 5000)) as http:
        assert http.post("/consent/lookup", json=PHONE).status_code == 200
    with TestClient(app, client=("192.0.2.7", 5000)) as http:  # not a loopback caller
        assert http.post("/consent/lookup", json=PHONE).status_code == 401
    assert "open to anyone who can reach 127.0.0.1" in caplog.text


def test_any_other_host_without_tokens_refuses_to_start(tmp_path: Path) -> None:
    settings = settings_for_tests(data_dir=tmp_path, http_host="0.0.0.0")

    with pytest.raises(ConfigurationError, match="HERALD_API_TOKENS"):
        create_app(settings)


def test_loopback_names() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "::1", "[::1]", "localhost", "127.1.2.3"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "10.0.0.5", "herald.example", ""))
    assert bearer_token("Bearer a b") == "a b" and bearer_token("Token x") is None


def _oidc_app(tmp_path: Path) -> tuple[TestClient, Any]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    verifier = OidcVerifier(
        issuer="https://id.example", audience="herald-codec", signing_key=lambda _: key.public_key()
    )
    settings = settings_for_tests(data_dir=tmp_path, api_tokens="s3cret")
    app = FastAPI()
    guard = require_credential(settings, oidc=verifier, accept_oidc=True)

    @app.post("/codec/decode", dependencies=[Depends(guard)])
    async def decode() -> dict[str, str]:
        return {"ok": "yes"}

    return TestClient(app), key


def test_the_codec_takes_the_web_ui_users_oidc_access_token(tmp_path: Path) -> None:
    http, key = _oidc_app(tmp_path)
    claims = {"iss": "https://id.example", "aud": "herald-codec", "exp": time.time() + 60}
    good = jwt.encode(claims, key, algorithm="RS256")
    expired = jwt.encode({**claims, "exp": time.time() - 60}, key, algorithm="RS256")
    other_audience = jwt.encode({**claims, "aud": "someone-else"}, key, algorithm="RS256")
    forged = jwt.encode(claims, rsa.generate_private_key(65537, 2048), algorithm="RS256")
    unsigned = jwt.encode(claims, None, algorithm="none")

    def status(token: str) -> int:
        return http.post("/codec/decode", headers={"Authorization": f"Bearer {token}"}).status_code

    assert status(good) == 200 and status("s3cret") == 200
    assert [status(t) for t in (expired, other_audience, forged, unsigned)] == [401] * 4
