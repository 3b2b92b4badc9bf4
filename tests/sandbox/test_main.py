"""``python -m sandbox`` serves the app and shuts down cleanly on SIGINT and SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import httpx
import pytest

from config.settings import PROJECT_ROOT
from tests.sandbox.conftest import HOST, free_port


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_module_serves_and_stops_on_signal(stop_signal: signal.Signals) -> None:
    port, smtp_port = free_port(), free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", str(port), "--smtp-port", str(smtp_port)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        health = None
        deadline = time.monotonic() + 15
        while health is None and time.monotonic() < deadline:
            try:
                health = httpx.get(f"http://{HOST}:{port}/health").json()
            except httpx.TransportError:
                time.sleep(0.05)
        assert health == {"status": "ok", "smtp_port": smtp_port}

        process.send_signal(stop_signal)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        assert process.stdout is not None
        process.stdout.close()
