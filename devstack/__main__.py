"""``make run``: start the embedded stack, print where to look, stop it all on Ctrl-C."""

from __future__ import annotations

import signal
import sys
import time

from config.settings import get_settings
from devstack.demo_returns import with_demo_returns
from devstack.stack import Stack


def main() -> int:
    settings = with_demo_returns(get_settings())  # a returns table to watch (.data)
    stack = Stack(settings, log_dir=settings.data_dir / "logs")
    print("Starting Herald's embedded stack...", flush=True)
    try:
        stack.start()
    except Exception as exc:
        stack.stop()
        print(f"Could not start the stack: {exc}\nLogs: {stack.log_dir}", file=sys.stderr)
        return 1
    print(banner(settings, stack), flush=True)
    stopping = False

    def request_stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        while not stopping:
            dead = [
                p.name
                for p in [stack.temporal, stack.sandbox, stack.http, *stack.workers]
                if p and not p.running
            ]
            if dead:
                print(
                    f"Stopped unexpectedly: {', '.join(dead)} (logs in {stack.log_dir})",
                    file=sys.stderr,
                )
                return 1
            time.sleep(0.5)
    finally:
        print("\nStopping...", flush=True)
        stack.stop()
    print("Stopped.")
    return 0


def banner(settings, stack: Stack) -> str:  # type: ignore[no-untyped-def]
    return f"""
Herald is running.
  Temporal Web UI     {settings.effective_temporal_ui_url}  (namespace {settings.temporal_namespace}; payloads decoded by the codec)
  Temporal frontend   {settings.temporal_address}
  HTTP service        {settings.effective_public_base_url}  (GET /health, POST /twilio/status)
  Targets (KPIs)      {settings.effective_public_base_url}/stats  or  .venv/bin/herald stats
  Metrics             {settings.effective_public_base_url}/metrics, http://{settings.worker_http_host}:{settings.worker_http_port}/metrics
  Codec (for the CLI) temporal workflow show -w order-demo-1 --codec-endpoint {settings.codec_endpoint}
  SMS sandbox         {settings.sandbox_base_url}/sandbox/messages  (Twilio API at {settings.sandbox_base_url})
  E-mail sandbox      SMTP {settings.sandbox_host}:{settings.sandbox_smtp_port}, read at {settings.sandbox_base_url}/sandbox/emails
  Store               {settings.effective_database_url}
  Logs                {stack.log_dir}

Try it (in another terminal):
  .venv/bin/herald demo                       # an order through every milestone
  .venv/bin/herald history order demo-1       # its messaging timeline
  .venv/bin/python -m devstack.demo_returns RMA-1 refunded --phone +14155550167 --refund 49.90
                                              # a return moved in the watched demo table
  (or `source .venv/bin/activate` and call `herald`)
Ctrl-C stops everything.
"""


if __name__ == "__main__":
    sys.exit(main())
