"""Quiet hours: no non-critical SMS at night in the recipient's local time.

The recipient's zone comes from the customer profile when it names one. Otherwise every
zone the number may be in counts, and the window is open only when it is daytime in all
of them, so nobody is woken up:

- a number whose area code spans zones (+1 907: Anchorage and Adak) is checked in each;
- a mobile number whose data names one zone for a country that has several (Indonesia's
  +62 8 reads Jakarta) is checked in every zone configured for the country;
- a number spread too wide for a common daytime (a +1 toll-free number: Guam to
  Bermuda) is checked in the country's configured zones, which do share one (the US
  from Puerto Rico to Hawaii).

Wall-clock arithmetic goes through zoneinfo, so midnight and daylight-saving changes
land where a local clock would.
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
    configured = tuple(
        sorted(z for z in rules.country_time_zones.get(country or "", ()) if _is_known_zone(z))
    )
    window = rules.window_for(country)

    def found(zones: tuple[str, ...], source: ZoneSource) -> RecipientZones:
        return RecipientZones(zones=zones, source=source, country=country)

    if len(candidates) == 1 and not (configured and _is_mobile_or_non_geographic(phone)):
        return found(candidates, ZoneSource.PHONE_NUMBER)
    widened = tuple(sorted(set(candidates) | set(configured)))
    if len(candidates) == 1 and share_daytime(widened, window):
        return found(widened, ZoneSource.COUNTRY)  # a mobile: anywhere in its country
    if len(candidates) > 1 and share_daytime(candidates, window):
        return found(candidates, ZoneSource.PHONE_NUMBER)
    if configured:
        return found(configured, ZoneSource.COUNTRY)
    if candidates:
        return found(candidates, ZoneSource.PHONE_NUMBER)
    return found((known_profile_zone or "UTC",), ZoneSource.DEFAULT)


# Offsets are compared in January and in July, so daylight saving cannot hide a gap.
_SEASONS = (datetime(2026, 1, 15, 12, tzinfo=UTC), datetime(2026, 7, 15, 12, tzinfo=UTC))
_SHORTEST_COMMON_WINDOW = timedelta(hours=1)


def share_daytime(zones: tuple[str, ...], window: SendingWindow) -> bool:
    """Whether ``zones`` share at least an hour of ``window`` every day of the year."""
    if not zones:
        return False
    start = datetime.combine(date(2026, 1, 1), window.start)
    end = datetime.combine(date(2026, 1, 1), window.end)
    length = (end - start) % timedelta(days=1)
    for instant in _SEASONS:
        offsets = [_wall(instant, zone).utcoffset() or timedelta() for zone in zones]
        if length - (max(offsets) - min(offsets)) < _SHORTEST_COMMON_WINDOW:
            return False
    return True


def _is_mobile_or_non_geographic(phone: str | None) -> bool:
    """A number not tied to a place: its zone data names the country's main zone only."""
    try:
        number_type = phonenumbers.number_type(phonenumbers.parse(phone or "", None))
    except phonenumbers.NumberParseException:
        return False
    return number_type not in _GEOGRAPHIC


_GEOGRAPHIC = frozenset(
    {phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


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
