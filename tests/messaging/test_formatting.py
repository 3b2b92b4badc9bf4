"""Dates, arrival windows and money in the customer's locale and time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from messaging.formatting import Formatter

THURSDAY_MORNING = datetime(2024, 3, 14, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en-GB", "Thursday, 14 March"),
        ("en", "Thursday, March 14"),
        ("fr", "jeudi 14 mars"),
        ("de", "Donnerstag, 14. März"),
        ("es", "jueves, 14 de marzo"),
        ("pt-BR", "quinta-feira, 14 de março"),
        ("ja", "3月14日木曜日"),
    ],
)
def test_long_date_without_year(locale: str, expected: str) -> None:
    assert Formatter.for_customer(locale, "UTC").long_date(THURSDAY_MORNING) == expected


def test_date_follows_the_customer_time_zone() -> None:
    late_evening_utc = datetime(2024, 3, 14, 23, 30, tzinfo=UTC)
    assert (
        Formatter.for_customer("en-GB", "Asia/Tokyo").long_date(late_evening_utc)
        == "Friday, 15 March"
    )
    assert (
        Formatter.for_customer("en-GB", "America/New_York").long_date(late_evening_utc)
        == "Thursday, 14 March"
    )


@pytest.mark.parametrize(
    ("locale", "currency", "amount", "expected"),
    [
        ("pt-BR", "BRL", "1234.56", "R$\u00a01.234,56"),
        ("en", "USD", "1234.56", "$1,234.56"),
        ("de", "EUR", "1234.56", "1.234,56\u00a0€"),
        ("ja", "JPY", "12800", "￥12,800"),
    ],
)
def test_money(locale: str, currency: str, amount: str, expected: str) -> None:
    assert Formatter.for_customer(locale, "UTC").money(Decimal(amount), currency) == expected


def test_same_day_window_shows_hours_in_local_time() -> None:
    formatter = Formatter.for_customer("en-GB", "Europe/London")
    end = datetime(2024, 3, 14, 13, 0, tzinfo=UTC)
    assert (
        formatter.arrival_window(THURSDAY_MORNING, end, short=False)
        == "Thursday, 14 March, 09:00–13:00"
    )
    assert formatter.arrival_window(THURSDAY_MORNING, end, short=True) == "Thu 14 Mar, 09:00–13:00"


def test_multi_day_window() -> None:
    formatter = Formatter.for_customer("fr", "Europe/Paris")
    end = datetime(2024, 3, 16, 13, 0, tzinfo=UTC)
    window = formatter.arrival_window(THURSDAY_MORNING, end, short=True)
    assert window.startswith("jeu. 14") and window.endswith("sam. 16 mars")


def test_window_without_end_is_a_day() -> None:
    formatter = Formatter.for_customer("de", "Europe/Berlin")
    assert formatter.arrival_window(THURSDAY_MORNING, None, short=True) == "Do., 14. März"


def test_twelve_hour_clock_where_the_locale_uses_it() -> None:
    formatter = Formatter.for_customer("en", "America/New_York")
    end = datetime(2024, 3, 14, 17, 0, tzinfo=UTC)
    window = formatter.arrival_window(THURSDAY_MORNING, end, short=True)
    assert "AM" in window and "PM" in window


def test_unknown_locale_formats_with_the_fallback() -> None:
    assert Formatter.for_customer("xx", "UTC", "fr").long_date(THURSDAY_MORNING) == "jeudi 14 mars"
