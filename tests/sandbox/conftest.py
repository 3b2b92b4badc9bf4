"""Fixtures that run the real sandbox over HTTP and a small server that receives its webhooks.

The sandbox runs under uvicorn on a background thread with its own event loop, so both the
blocking twilio SDK and async tests can talk to it. One server is shared by the session;
the ``sandbox`` fixture resets it before every test.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from config.settings import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, Settings
from sandbox.app import create_sandbox_app

HOST = "127.0.0.1"
CALLBACK_DELAY_SECONDS = 0.05  # short, so callback tests finish quickly


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def sandbox_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "twilio_account_sid": "",
        "twilio_auth_token": "",
        "sandbox_host": HOST,
        "sandbox_port": free_port(),
        "sandbox_smtp_port": free_port(),
        "sandbox_callback_delay_seconds": CALLBACK_DELAY_SECONDS,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class RunningSandbox:
    """A sandbox app served by uvicorn on a background thread."""

    def __init__(self, app: FastAPI, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.base_url = f"http://{settings.sandbox_host}:{settings.sandbox_port}"
        config = uvicorn.Config(
            app,
            host=settings.sandbox_host,
            port=settings.sandbox_port,
            log_level="warning",
            access_log=False,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="sandbox", daemon=True)
        self.http = httpx.Client(base_url=self.base_url, timeout=10.0)

    @property
    def smtp_port(self) -> int:
        return self.settings.sandbox_smtp_port

    def start(self, timeout: float = 10.0) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sandbox did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self.http.close()
        self._server.should_exit = True
        self._thread.join(timeout=10.0)

    def reset(self) -> None:
        self.http.delete("/sandbox/messages").raise_for_status()

    def twilio_client(
        self, account_sid: str = SANDBOX_ACCOUNT_SID, auth_token: str = SANDBOX_AUTH_TOKEN
    ) -> Client:
        client = Client(account_sid, auth_token)
        client.api.base_url = self.base_url
        return client

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        params = {"to": to} if to else None
        response = self.http.get("/sandbox/messages", params=params)
        response.raise_for_status()
        return list(response.json()["messages"])

    def wait_for_callbacks(
        self, sid: str, count: int, timeout: float = 5.0
    ) -> list[dict[str, Any]]:
        """The callback attempts recorded for ``sid`` once there are ``count`` of them."""
        deadline = time.monotonic() + timeout
        while True:
            [message] = [m for m in self.messages() if m["sid"] == sid]
            callbacks: list[dict[str, Any]] = message["callbacks"]
            if len(callbacks) >= count or time.monotonic() > deadline:
                return callbacks
            time.sleep(0.02)


@pytest.fixture(scope="session")
def running_sandbox() -> Iterator[RunningSandbox]:
    settings = sandbox_settings()
    server = RunningSandbox(create_sandbox_app(settings, seed=0), settings)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sandbox(running_sandbox: RunningSandbox) -> RunningSandbox:
    """The shared sandbox, emptied (messages, e-mails, pushes, rules) for this test."""
    running_sandbox.reset()
    return running_sandbox


@pytest.fixture
def twilio_client(sandbox: RunningSandbox) -> Client:
    return sandbox.twilio_client()


@pytest.fixture
async def async_twilio_client(sandbox: RunningSandbox) -> AsyncIterator[Client]:
    http_client = AsyncTwilioHttpClient()
    client = Client(SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, http_client=http_client)
    client.api.base_url = sandbox.base_url
    try:
        yield client
    finally:
        await http_client.close()


@dataclass(frozen=True)
class ReceivedWebhook:
    path: str
    url: str
    headers: dict[str, str]
    params: dict[str, str]
    body: bytes = b""  # as received, for signatures over the raw body


class WebhookReceiver:
    """A tiny HTTP server standing in for Herald's webhook endpoints; records every POST."""

    def __init__(self, response_body: str = "", content_type: str = "text/plain") -> None:
        self.response_body = response_body
        self.content_type = content_type
        self.status = 200  # what it answers (a test may make it fail)
        self.received: list[ReceivedWebhook] = []
        self._changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                webhook = ReceivedWebhook(
                    path=self.path,
                    url=receiver.url(self.path),
                    headers={k: v for k, v in self.headers.items()},
                    params=dict(parse_qsl(raw.decode(), keep_blank_values=True)),
                    body=raw,
                )
                payload = receiver.response_body.encode()
                self.send_response(receiver.status)
                self.send_header("Content-Type", receiver.content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                with receiver._changed:
                    receiver.received.append(webhook)
                    receiver._changed.notify_all()

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test output quiet

        self._server = ThreadingHTTPServer((HOST, 0), Handler)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedWebhook]:
        """Block until at least ``count`` webhooks arrived; fail the test otherwise."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.received) >= count, timeout):
                raise AssertionError(f"expected {count} webhooks, got {len(self.received)}")
            return list(self.received)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    try:
        yield receiver
    finally:
        receiver.close()
