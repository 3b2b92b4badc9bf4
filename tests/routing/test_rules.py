"""Destinations from phonenumbers and the most specific rule for each."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from config.settings import PROJECT_ROOT
from routing.destination import Destination, destination_of
from routing.rules import RouteRule, RoutingRules


@pytest.mark.parametrize(
    ("number", "country", "kind"),
    [
        ("+5511987654321", "BR", "mobile"),
        ("+551133334444", "BR", "landline"),
        ("+14155552671", "US", "mobile"),  # the US cannot tell: routed as mobile
        ("+18005550199", "US", "toll_free"),
        ("+447400123456", "GB", "mobile"),
        ("+442071838750", "GB", "landline"),
    ],
)
def test_destination_country_and_number_type(number: str, country: str, kind: str) -> None:
    assert destination_of(number) == Destination(country, kind)  # type: ignore[arg-type]


def test_a_number_in_an_unassigned_range_goes_to_its_calling_codes_country() -> None:
    assert destination_of("+14155550000").country == "US"
    assert destination_of("+447700000000").country == "GB"


def test_a_non_number_is_refused() -> None:
    with pytest.raises(ValueError):
        destination_of("not a number")


def test_the_most_specific_rule_wins_and_the_later_of_two_equal_ones() -> None:
    rules = RoutingRules(
        rules=[
            RouteRule(),
            RouteRule(number_type="landline", allowed=["twilio"]),
            RouteRule(country="BR", blocked=["twilio"]),
            RouteRule(country="BR", number_type="landline", allowed=["vonage"]),
            RouteRule(country="BR", blocked=["plivo"]),
        ]
    )
    assert rules.rule_for(Destination("BR", "landline")).providers() == ["vonage"]
    assert rules.rule_for(Destination("BR", "mobile")).providers() == ["twilio", "vonage"]
    assert rules.rule_for(Destination("DE", "landline")).providers() == ["twilio"]
    assert rules.rule_for(Destination("DE", "mobile")).providers() == ["twilio", "vonage", "plivo"]


def test_the_shipped_configuration_loads() -> None:
    rules = RoutingRules.load(PROJECT_ROOT / "config" / "routing.toml")
    assert rules.list_price("plivo", "BR") == Decimal("0.0420")
    assert rules.list_price("plivo", "JP") == Decimal("0.0480")  # the "*" price
    assert rules.rule_for(Destination("US", "mobile")).preferred == ["twilio"]
    assert RoutingRules.load(Path("/nonexistent.toml")) == RoutingRules()
