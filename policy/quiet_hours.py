"""Quiet hours: no non-critical SMS at night in the recipient's local time.

The recipient's zone comes from the customer profile, else from the phone number's
country and area code. A number that spans several zones (a toll-free number, a mobile
range covering a whole country) is checked against all of them: the window is open only
where it is open everywhere, so nobody is woken up. Wall-clock arithmetic goes through
zoneinfo, so midnight and daylight-saving changes land where a local clock would.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as phone_time_zones
from pydantic import AwareDatetime, BaseModel, ConfigDict

from domain.phone import region_of
from policy.rules import PolicyRules, SendingWindow

# The event model defaults a customer's zone to UTC when the OMS knows nothing, so UTC
# in a profile means "unknown" and the phone number is the better witness.
UNSET_PROFILE_ZONES = frozenset({"UTC", "Etc/UTC"})
UNKNOWN_ZONE = "Etc/Unknown"
SEARCH_HORIZON = timedelta(days=3)


class ZoneSource(StrEnum):
    PROFILE = "profile"
    PHONE_NUMBER = "phone number"
    COUNTRY = "country"
    DEFAULT = "default"


class RecipientZones(BaseModel):
    model_config = ConfigDict(frozen=True)

    zones: tuple[str, ...]  # sorted; the window must be open in each
    source: ZoneSource
    country: str | None = None

    def describe(self) -> str:
        shown = ", ".join(self.zones[:3]) + (" ..." if len(self.zones) > 3 else "")
        return f"{shown} (from the {self.source.value})"


class QuietHoursVerdict(BaseModel):
    model_config = ConfigDict(frozen=True)

    quiet: bool
    opens_at: AwareDatetime  # ``now`` when the window is open
    zones: tuple[str, ...]  # the zones the verdict was taken in
    reason: str


def recipient_zones(
    profile_time_zone: str | None, phone: str | None, rules: PolicyRules
) -> RecipientZones:
    """The zone(s) whose local time decides quiet hours for this recipient."""
    country = region_of(phone) if phone else None
    known_profile_zone = profile_time_zone if _is_known_zone(profile_time_zone) else None
    if known_profile_zone and known_profile_zone not in UNSET_PROFILE_ZONES:
        return RecipientZones(
            zones=(known_profile_zone,), source=ZoneSource.PROFILE, country=country
        )
    candidates = _zones_of_number(phone) if phone else ()
    if len(candidates) == 1:
        return RecipientZones(zones=candidates, source=ZoneSource.PHONE_NUMBER, country=country)
    configured = rules.country_time_zones.get(country or "")
    if configured:
        zones = tuple(sorted(z for z in configured if _is_known_zone(z)))
        return RecipientZones(zones=zones, source=ZoneSource.COUNTRY, country=country)
    if candidates:
        return RecipientZones(zones=candidates, source=ZoneSource.PHONE_NUMBER, country=country)
    fallback = known_profile_zone or "UTC"
    return RecipientZones(zones=(fallback,), source=ZoneSource.DEFAULT, country=country)


def check_quiet_hours(
    now: datetime, recipient: RecipientZones, window: SendingWindow
) -> QuietHoursVerdict:
    """Whether ``now`` falls outside the sending window, and when the window opens next."""
    _require_aware(now)
    zones = recipient.zones
    opens_at = _next_common_opening(now, zones, window)
    if opens_at is None:
        # No instant is daytime in every zone: decide in the middle one instead.
        zones = (_middle_zone(now, zones),)
        opens_at = _next_common_opening(now, zones, window)
        assert opens_at is not None, "a single zone always has a next opening"
    if opens_at == now:
        return QuietHoursVerdict(quiet=False, opens_at=now, zones=zones, reason="within hours")
    closed = [z for z in zones if not window.contains(_wall(now, z).time())]
    local = ", ".join(f"{_wall(now, z):%H:%M} in {z}" for z in closed[:3])
    more = f" and {len(closed) - 3} more zones" if len(closed) > 3 else ""
    reason = (
        f"quiet hours: {local}{more}, outside {window.start:%H:%M}-{window.end:%H:%M}; "
        f"sending at {opens_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    )
    return QuietHoursVerdict(quiet=True, opens_at=opens_at, zones=zones, reason=reason)


def next_opening(now: datetime, zone: str, window: SendingWindow) -> datetime:
    """The first instant at or after ``now`` when ``zone``'s wall clock is in the window."""
    _require_aware(now)
    if window.contains(_wall(now, zone).time()):
        return now
    today = _wall(now, zone).date()
    starts = [
        instant
        for day in (today - timedelta(days=1), today, today + timedelta(days=1))
        for instant in _instants_showing(day, window.start, ZoneInfo(zone))
        if instant >= now
    ]
    return min(starts)


def _next_common_opening(
    now: datetime, zones: tuple[str, ...], window: SendingWindow
) -> datetime | None:
    # Jumping to the latest next opening among the closed zones never skips a common
    # instant: each closed zone stays closed until its own next opening.
    candidate = now
    while candidate - now <= SEARCH_HORIZON:
        closed = [z for z in zones if not window.contains(_wall(candidate, z).time())]
        if not closed:
            return candidate
        candidate = max(next_opening(candidate, z, window) for z in closed)
    return None


def _instants_showing(day: date, wall_clock: time, zone: ZoneInfo) -> list[datetime]:
    """Every instant ``zone`` shows ``wall_clock`` on ``day``; in a gap, the jump's instant.

    An autumn hour that happens twice gives two instants; a spring hour that never
    happens gives the moment the clock jumps past it.
    """
    naive = datetime.combine(day, wall_clock)
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    shows = [i for i in sorted({first, second}) if _wall(i, zone.key).replace(tzinfo=None) == naive]
    return shows or [_transition_between(min(first, second), max(first, second), zone)]


def _transition_between(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    """The first whole second in (before, after] with ``after``'s UTC offset."""
    target = after.astimezone(zone).utcoffset()
    low, high = int(before.timestamp()), int(after.timestamp())  # old offset, new offset
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, UTC).astimezone(zone).utcoffset() == target:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def _middle_zone(now: datetime, zones: tuple[str, ...]) -> str:
    by_offset = sorted(zones, key=lambda z: (_wall(now, z).utcoffset() or timedelta(), z))
    return by_offset[(len(by_offset) - 1) // 2]


def _zones_of_number(phone: str) -> tuple[str, ...]:
    try:
        parsed = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return ()
    found = phone_time_zones.time_zones_for_number(parsed)
    return tuple(sorted(z for z in found if z != UNKNOWN_ZONE and _is_known_zone(z)))


def _is_known_zone(name: str | None) -> bool:
    if not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _wall(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone))


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
