"""``python -m sandbox``: serve the sandbox on the configured host and ports.

uvicorn catches SIGINT/SIGTERM, runs the app's lifespan shutdown (SMTP sink, pending
callbacks, HTTP client) and then re-raises the signal under the handler that was there before.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from types import FrameType

import uvicorn

from config.settings import get_settings
from observability.logs import configure_logging
from sandbox.app import create_sandbox_app
from sandbox.rules import DestinationRule


def _exit_cleanly(_signum: int, _frame: FrameType | None) -> None:
    sys.exit(0)


def main(argv: list[str] | None = None) -> None:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default=settings.sandbox_host)
    parser.add_argument("--port", type=int, default=settings.sandbox_port)
    parser.add_argument(
        "--smtp-port", type=int, default=settings.sandbox_smtp_port, help="0: no SMTP sink"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rules", type=Path, help="JSON file with a list of destination rules")
    args = parser.parse_args(argv)

    rules = None
    if args.rules is not None:
        rules = [DestinationRule.model_validate(r) for r in json.loads(args.rules.read_text())]
    settings = settings.model_copy(
        update={
            "sandbox_host": args.host,
            "sandbox_port": args.port,
            "sandbox_smtp_port": args.smtp_port,
        }
    )
    app = create_sandbox_app(settings, rules=rules, seed=args.seed)
    # A requested stop is a clean exit: without this, the SIGTERM uvicorn re-raises after its
    # graceful shutdown would kill the process with status -15.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    # JSON lines like every other process; access log off and warnings only: the benchmark
    # pushes a steady request rate through here.
    configure_logging("sandbox", "WARNING")
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
