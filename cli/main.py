"""The ``herald`` command line."""

from __future__ import annotations

import argparse
import sys

from cli.conversation import add_reply_parser
from cli.orders import add_order_parsers
from cli.preferences import add_preferences_parser
from cli.routes import add_routes_parser
from cli.templates import add_templates_parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="herald", description="Herald: order and return notifications"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    add_order_parsers(commands)
    add_templates_parser(commands)
    add_preferences_parser(commands)
    add_reply_parser(commands)
    add_routes_parser(commands)
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


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
