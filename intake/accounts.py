"""The intake's accounts from configuration: which shops and carrier-tracker accounts Herald
takes webhooks from, with their defaults (config/intake.toml), and their webhook secrets
(settings)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import SecretStr

from config.settings import Settings
from intake.carrier_statuses import load_carrier_statuses
from intake.sources.aftership import AfterShipAccount
from intake.sources.easypost import EasyPostAccount
from intake.sources.generic import GenericAccount
from intake.sources.shopify import ShopifyAccount
from intake.validation import RuleBook


def shopify_accounts(path: Path) -> dict[str, ShopifyAccount]:
    """Shops by domain (lower case); none when the file does not exist."""
    if not path.exists():
        return {}
    tables = tomllib.loads(path.read_text()).get("shopify", [])
    accounts = [ShopifyAccount.model_validate(table) for table in tables]
    return {account.shop: account for account in accounts}


def generic_accounts(path: Path) -> dict[str, GenericAccount]:
    """``[[generic]]`` accounts by name (lower case: ``X-Herald-Account`` in any case);
    an account without a table has the defaults."""
    accounts = [GenericAccount.model_validate(table) for table in _tables(path, "generic")]
    return {account.account: account for account in accounts}


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


def easypost_accounts(settings: Settings) -> dict[str, EasyPostAccount]:
    """``[[easypost]]`` accounts by name, each with EasyPost's status table; none when the
    file does not exist. The webhook route and the tracker poller both read them here."""
    tables = _tables(settings.intake_config_path, "easypost")
    if not tables:
        return {}
    statuses = load_carrier_statuses(settings.carrier_statuses_path).easypost
    accounts = [EasyPostAccount.model_validate({"statuses": statuses, **t}) for t in tables]
    return {account.name: account for account in accounts}


def aftership_accounts(settings: Settings) -> dict[str, AfterShipAccount]:
    """``[[aftership]]`` accounts by name, each with AfterShip's status table."""
    tables = _tables(settings.intake_config_path, "aftership")
    if not tables:
        return {}
    statuses = load_carrier_statuses(settings.carrier_statuses_path).aftership
    accounts = [AfterShipAccount.model_validate({"statuses": statuses, **t}) for t in tables]
    return {account.name: account for account in accounts}


def account_secrets(setting: SecretStr, what: str) -> dict[str, list[str]]:
    """``account:secret`` pairs, comma separated; an account named twice has both secrets
    (a rotation). ``what`` names the setting in the error."""
    secrets: dict[str, list[str]] = {}
    for item in setting.get_secret_value().split(","):
        name, sep, secret = item.strip().partition(":")
        if not sep or not name.strip() or not secret.strip():
            if item.strip():
                raise ValueError(f"{what} are written 'account:secret', comma separated")
            continue
        secrets.setdefault(name.strip(), []).append(secret.strip())
    return secrets


def intake_tables(settings: Settings, name: str) -> list[dict[str, object]]:
    """config/intake.toml's ``[[name]]`` tables, as written (none without the file)."""
    return _tables(settings.intake_config_path, name)


def _tables(path: Path, source: str) -> list[dict[str, object]]:
    if not path.exists():
        return []
    tables: list[dict[str, object]] = tomllib.loads(path.read_text()).get(source, [])
    return tables


def validation_rules(path: Path) -> RuleBook:
    """The ``[[validation]]`` tables (intake/validation.py); none: every default."""
    return RuleBook(_tables(path, "validation"))
