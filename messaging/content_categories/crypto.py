"""Cryptocurrency offers: coins, airdrops, "double your money", "connect your wallet"."""

from __future__ import annotations

from messaging.content_categories.rule import ContentRule, make_rule

RULES: tuple[ContentRule, ...] = (
    make_rule(
        "crypto",
        "cryptocurrency offers (carriers filter them as scams)",
        [
            r"bitcoin\w*|btc|ethereum|eth|usdt|tether|dogecoin|solana|crypto\w*|airdrops?",
            r"cripto\w*|krypto\w*|kripto\w*|cryptomunt\w*|criptovalut\w*",
            r"(?:double|triple) your (?:money|coins|investment)",
            r"(?:connect|verify|link) (?:your )?wallet",
        ],
        [
            "ビットコイン",
            "仮想通貨",
            "暗号資産",
            "比特币",
            "虚拟货币",
            "加密货币",
            "بيتكوين",
            r"(?:ال)?عملات? (?:ال)?رقميه",
        ],
    ),
)
