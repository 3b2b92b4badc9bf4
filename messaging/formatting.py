"""Dates, times and money as the customer reads them, in their locale and time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton, format_time
from babel.numbers import format_currency

from messaging.locales import babel_locale

# The year and the literal text tying it to the rest of a CLDR "full" date pattern:
# "EEEE, MMMM d, y" -> "EEEE, MMMM d"; "d 'de' MMMM 'de' y" -> "d 'de' MMMM";
# "y年M月d日" -> "M月d日".
_YEAR_IN_PATTERN = re.compile(r"\s*(?:'[^']*'\s*)?,?\s*y+(?:年|년)?")


@lru_cache(maxsize=256)
def _long_date_pattern(locale: Locale) -> str:
    """The locale's full date without its year: notifications are about the next days."""
    return _YEAR_IN_PATTERN.sub("", locale.date_formats["full"].pattern).strip(" ,")


@lru_cache(maxsize=256)
def _time_skeleton(locale: Locale) -> str:
    """12- or 24-hour clock, as the locale's own short time format uses."""
    return "hm" if "h" in locale.time_formats["short"].pattern else "Hm"


@dataclass(frozen=True)
class Formatter:
    locale: Locale
    time_zone: ZoneInfo

    @classmethod
    def for_customer(cls, locale: str, time_zone: str, fallback_locale: str = "en") -> Formatter:
        return cls(locale=babel_locale(locale, fallback_locale), time_zone=ZoneInfo(time_zone))

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.time_zone)

    def long_date(self, moment: datetime) -> str:
        """'Thursday, March 14' (en), 'jeudi 14 mars' (fr)."""
        return format_date(self.local(moment), _long_date_pattern(self.locale), locale=self.locale)

    def short_date(self, moment: datetime) -> str:
        """'Thu, Mar 14' (en), 'Do., 14. März' (de): for SMS."""
        return format_skeleton("MMMEd", self.local(moment), locale=self.locale)

    def time(self, moment: datetime) -> str:
        return format_time(self.local(moment), "short", locale=self.locale)

    def arrival_window(self, start: datetime, end: datetime | None, *, short: bool) -> str:
        """A day, a day with hours, or a span of days, in the customer's time zone."""
        day = self.short_date if short else self.long_date
        if end is None or end <= start:
            return day(start)
        local_start, local_end = self.local(start), self.local(end)
        if local_start.date() == local_end.date():
            hours = format_interval(
                local_start, local_end, _time_skeleton(self.locale), locale=self.locale
            )
            glue = str(self.locale.datetime_formats["short" if short else "full"])
            return glue.replace("{1}", day(start)).replace("{0}", hours)
        return format_interval(
            local_start.date(), local_end.date(), "MMMEd" if short else "MMMMEd", locale=self.locale
        )

    def money(self, amount: Decimal, currency: str) -> str:
        """'$1,234.56' (en-US), 'R$ 1.234,56' (pt-BR), '1.234,56 €' (de)."""
        return format_currency(amount, currency, locale=self.locale)
