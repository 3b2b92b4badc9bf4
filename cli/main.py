"""The ``herald`` command line."""

from __future__ import annotations

import argparse
import os
import sys
from importlib.metadata import PackageNotFoundError, version

from cli.conversation import add_reply_parser
from cli.errors import explain
from cli.intake import add_intake_parser
from cli.orders import add_order_parsers
from cli.preferences import add_preferences_parser
from cli.routes import add_routes_parser
from cli.stats import add_stats_parser
from cli.templates import add_templates_parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="herald",
        description="Herald: order and return notifications",
        epilog="Exit codes: 0 done, 1 not found, 2 invalid input, 3 a service not reachable, "
        "4 refused by the service, 70 unexpected error.",
    )
    parser.add_argument("--version", action="version", version=f"herald {herald_version()}")
    commands = parser.add_subparsers(dest="command", required=True)
    add_order_parsers(commands)
    add_templates_parser(commands)
    add_preferences_parser(commands)
    add_reply_parser(commands)
    add_stats_parser(commands)
    add_routes_parser(commands)
    add_intake_parser(commands)
    migrate = commands.add_parser("migrate", help="bring the store's schema up to date")
    migrate.set_defaults(handler=migrate_command)
    return parser


def migrate_command(_args: argparse.Namespace) -> int:
    from config.settings import get_settings
    from store.migrate import upgrade

    url = get_settings().effective_database_url
    upgrade(url)
    print(f"store at {url.split('@')[-1]} is up to date")
    return 0


def herald_version() -> str:
    try:
        return version("herald")
    except PackageNotFoundError:
        return "unknown (not installed)"


def main(argv: list[str] | None = None) -> int:
    """Run one command; every failure becomes one line on stderr and a stable exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `herald ... | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:
        message, code = explain(error)
        print(f"herald: {message}", file=sys.stderr)
        return code


def run() -> None:
    """The ``herald`` executable: ``main``, then leave without the interpreter's teardown.

    The Temporal SDK's native threads can still hold the GIL machinery while Python
    finalizes, and the process then aborts with "Fatal Python error: PyGILState_Release"
    (exit 134) after the command did its work (sdk-python issue 300). Nothing is left to
    clean up once the command has returned and its output is flushed, so the process
    exits at once with the command's own code.
    """
    try:
        code = main()
    except SystemExit as exit_:  # argparse: --help, --version, usage errors
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 2)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
