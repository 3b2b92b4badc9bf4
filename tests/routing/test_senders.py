"""Sender identities per provider and country; alphanumeric ids only where allowed."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from routing.choose import choose_route
from routing.destination import Destination
from routing.rules import RoutingRules
from routing.senders import SenderIdentity, sender_for

SENDERS = [
    SenderIdentity(provider="vonage", kind="alphanumeric", value="HeraldShop"),
    SenderIdentity(provider="vonage", country="BR", kind="short_code", value="29290"),
    SenderIdentity(provider="vonage", country="BR", kind="long_code", value="5511900000000"),
    SenderIdentity(provider="plivo", country="US", kind="toll_free", value="18005550100"),
]


def test_a_country_named_sender_comes_before_a_default_one_and_the_first_listed_wins() -> None:
    chosen = sender_for("vonage", "BR", SENDERS)
    assert chosen is not None and chosen.value == "29290" and chosen.pace == 100.0


def test_an_alphanumeric_id_only_where_the_country_takes_it() -> None:
    assert sender_for("vonage", "GB", SENDERS).kind == "alphanumeric"  # type: ignore[union-attr]
    assert sender_for("vonage", "US", SENDERS) is None
    assert sender_for("plivo", "BR", SENDERS) is None


def test_an_alphanumeric_id_longer_than_11_characters_is_refused() -> None:
    with pytest.raises(ValidationError):
        SenderIdentity(provider="vonage", kind="alphanumeric", value="HeraldShopLtd")


def test_a_provider_without_a_sender_has_no_route_there() -> None:
    rules = RoutingRules(senders=SENDERS)
    choice = choose_route(
        Destination("US", "mobile"),
        rules=rules,
        available=["vonage", "plivo"],
        stats={},
        breakers={},
        now=datetime.now(UTC),
        rng=random.Random(1),
    )
    assert choice.order == ("plivo",)
    assert choice.excluded == {"vonage": "no sender for US", "twilio": "not configured"}
