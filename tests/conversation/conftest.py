"""One small server on a free port with the sandbox OMS, the support desk and the
language-model stub, shared by the session and emptied before each test that uses it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn
from fastapi import FastAPI

from sandbox.language_model import LanguageModelStub, create_stub_router
from sandbox.oms import SandboxOms, create_oms_router
from sandbox.support import SandboxSupport, create_support_router

# The store fixture (SQLite, and PostgreSQL when HERALD_TEST_POSTGRES_URL is set).
from tests.store.conftest import store  # noqa: F401

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class ConversationServer:
    base_url: str
    oms: SandboxOms
    support: SandboxSupport
    language_model: LanguageModelStub

    def reset(self) -> None:
        self.oms.reset()
        self.support.reset()
        self.language_model.reset()


def serve(app: FastAPI, port: int | None = None) -> tuple[str, uvicorn.Server, threading.Thread]:
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host=HOST, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    return f"http://{HOST}:{port}", server, thread


@pytest.fixture(scope="session")
def running_server() -> Iterator[ConversationServer]:
    oms, support, language_model = SandboxOms(), SandboxSupport(), LanguageModelStub()
    app = FastAPI()
    app.include_router(create_oms_router(oms))
    app.include_router(create_support_router(support))
    app.include_router(create_stub_router(language_model))
    base_url, server, thread = serve(app)
    try:
        yield ConversationServer(base_url, oms, support, language_model)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def conversation_server(running_server: ConversationServer) -> ConversationServer:
    running_server.reset()
    return running_server
