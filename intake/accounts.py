"""The intake's accounts from configuration: which shops Herald takes webhooks from, with
their defaults (config/intake.toml), and each shop's webhook secrets (settings)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from config.settings import Settings
from intake.sources.shopify import ShopifyAccount


def shopify_accounts(path: Path) -> dict[str, ShopifyAccount]:
    """Shops by domain (lower case); none when the file does not exist."""
    if not path.exists():
        return {}
    tables = tomllib.loads(path.read_text()).get("shopify", [])
    accounts = [ShopifyAccount.model_validate(table) for table in tables]
    return {account.shop: account for account in accounts}


def shopify_secrets(settings: Settings) -> dict[str, list[str]]:
    """``shop:secret`` pairs, comma separated; a shop named twice has both secrets."""
    secrets: dict[str, list[str]] = {}
    for item in settings.shopify_webhook_secrets.get_secret_value().split(","):
        shop, sep, secret = item.strip().partition(":")
        if not sep or not shop or not secret:
            if item.strip():
                raise ValueError("Shopify webhook secrets are written 'shop.myshopify.com:secret'")
            continue
        secrets.setdefault(shop.strip().lower(), []).append(secret.strip())
    return secrets
