"""The demo returns table ``make run`` and the end-to-end tests watch: a SQLite file in the
data folder standing in for a retailer's database, watched as config/intake.toml's
``herald-demo`` table when no returns database is configured."""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal

from pydantic import SecretStr
from sqlalchemy import create_engine, inspect

from config.settings import Settings, get_settings
from intake.returns_config import returns_database_urls
from intake.returns_demo import DEMO_TABLE, create_returns_table, set_return_status

DEMO_WATCHER = "herald-demo"


def demo_returns_url(settings: Settings) -> str:
    return f"sqlite:///{settings.data_dir / 'demo-returns.sqlite3'}"


def with_demo_returns(settings: Settings) -> Settings:
    """``settings`` watching the demo table, unless a returns database is configured."""
    if settings.returns_database_urls.get_secret_value().strip():
        return settings
    urls = SecretStr(f"{DEMO_WATCHER}={demo_returns_url(settings)}")
    return settings.model_copy(update={"returns_database_urls": urls})


def prepare_demo_returns(settings: Settings) -> None:
    """Create the demo table if the demo watcher is pointed at it (never another database:
    Herald does not write to a retailer's)."""
    url = demo_returns_url(settings)
    if returns_database_urls(settings).get(DEMO_WATCHER) != url:
        return
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    try:
        if not inspect(engine).has_table(DEMO_TABLE):
            create_returns_table(engine)
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """``python -m devstack.demo_returns RMA-1 refunded --phone +14155550123``: move a demo
    return as a retailer's system would; the running watcher tells the customer."""
    parser = argparse.ArgumentParser(prog="python -m devstack.demo_returns")
    parser.add_argument("rma", help="the return's reference, e.g. RMA-1")
    parser.add_argument("status", help="requested, received, inspected, refunded or closed")
    parser.add_argument("--phone")
    parser.add_argument("--email")
    parser.add_argument("--name", default="Ada")
    parser.add_argument("--refund", type=Decimal, help="the amount refunded, in USD")
    args = parser.parse_args(argv)
    settings = get_settings()
    prepare_demo_returns(with_demo_returns(settings))
    engine = create_engine(demo_returns_url(settings))
    try:
        row = set_return_status(
            engine,
            args.rma,
            args.status,
            phone=args.phone,
            email=args.email,
            name=args.name,
            refund=(args.refund, "USD") if args.refund is not None else None,
        )
    finally:
        engine.dispose()
    print(f"return {args.rma} (row {row}) is {args.status} in {demo_returns_url(settings)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
