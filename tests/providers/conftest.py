"""The sandbox over HTTP, a webhook receiver standing in for Herald's endpoints, and each
provider's adapter pointed at the sandbox through its official SDK."""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest

from config.settings import Settings
from providers.plivo_provider import PlivoProvider
from providers.twilio_provider import TwilioProvider
from providers.vonage_provider import VonageProvider
from tests.sandbox.conftest import HOST, RunningSandbox, running_sandbox, sandbox

__all__ = ["running_sandbox", "sandbox"]


@dataclass(frozen=True)
class Hook:
    path: str
    url: str
    headers: dict[str, str]
    params: dict[str, str]


class Receiver:
    """Records every webhook; answers ``status`` (200 unless a test says otherwise)."""

    def __init__(self) -> None:
        self.hooks: list[Hook] = []
        self.status = 200
        self._changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    params = {k: str(v) for k, v in json.loads(body).items()}
                else:
                    params = dict(parse_qsl(body, keep_blank_values=True))
                hook = Hook(self.path, receiver.url(self.path), dict(self.headers), params)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with receiver._changed:
                    receiver.hooks.append(hook)
                    receiver._changed.notify_all()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer((HOST, 0), Handler)
        self.port = int(self._server.server_address[1])
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def url(self, path: str = "") -> str:
        return f"http://{HOST}:{self.port}{path}"

    def wait_for(self, predicate, timeout: float = 5.0) -> list[Hook]:  # type: ignore[no-untyped-def]
        with self._changed:
            if not self._changed.wait_for(lambda: predicate(self.hooks), timeout):
                raise AssertionError(f"webhooks so far: {self.hooks}")
            return list(self.hooks)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hooks = Receiver()
    try:
        yield hooks
    finally:
        hooks.close()


@pytest.fixture
def provider_settings(sandbox: RunningSandbox, receiver: Receiver) -> Settings:
    return sandbox.settings.model_copy(update={"public_base_url": receiver.url()})


@pytest.fixture
async def vonage(provider_settings: Settings) -> AsyncIterator[VonageProvider]:
    provider = VonageProvider(provider_settings)
    yield provider
    await provider.close()


@pytest.fixture
async def plivo(provider_settings: Settings) -> AsyncIterator[PlivoProvider]:
    provider = PlivoProvider(provider_settings)
    yield provider
    await provider.close()


@pytest.fixture
async def twilio(provider_settings: Settings) -> AsyncIterator[TwilioProvider]:
    provider = TwilioProvider(provider_settings)
    yield provider
    await provider.close()
