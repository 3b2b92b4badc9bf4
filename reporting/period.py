"""Periods as people type them: ``24h``, ``7d``, ``90m``, ``all``, or ``FROM..TO`` in ISO
8601 (``2026-12-01..2026-12-06``, either side may be empty)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_RELATIVE = re.compile(r"^(\d+)([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class PeriodError(ValueError):
    pass


def parse_period(text: str, now: datetime | None = None) -> tuple[datetime | None, datetime | None]:
    """(since, until) for ``text``; None on a side means unbounded."""
    now = now or datetime.now(UTC)
    text = text.strip().lower()
    if text in {"", "all"}:
        return None, None
    if match := _RELATIVE.match(text):
        amount, unit = int(match.group(1)), _UNITS[match.group(2)]
        return now - timedelta(**{unit: amount}), None
    if ".." in text:
        start, _, end = text.partition("..")
        return _instant(start), _instant(end)
    raise PeriodError(f"unknown period {text!r}: use 24h, 7d, 90m, 2w, all or FROM..TO (ISO dates)")


def _instant(text: str) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise PeriodError(f"not an ISO date or time: {text!r}") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)
