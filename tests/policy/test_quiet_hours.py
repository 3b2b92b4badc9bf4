"""Quiet hours in the recipient's local time, around midnight and daylight-saving changes."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from policy.quiet_hours import (
    RecipientZones,
    ZoneSource,
    check_quiet_hours,
    next_opening,
    recipient_zones,
)
from policy.rules import PolicyRules, SendingWindow

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
RULES = PolicyRules()
DAYTIME = SendingWindow()  # 08:00-21:00


def zones(*names: str) -> RecipientZones:
    return RecipientZones(zones=tuple(sorted(names)), source=ZoneSource.PROFILE)


def opens(now: datetime, recipient: RecipientZones, window: SendingWindow = DAYTIME) -> datetime:
    verdict = check_quiet_hours(now, recipient, window)
    assert verdict.quiet
    return verdict.opens_at.astimezone(UTC)


# ---- where the recipient is --------------------------------------------------------------


def test_the_profile_zone_comes_first() -> None:
    found = recipient_zones("Europe/Berlin", "+14155550167", RULES)

    assert (found.zones, found.source, found.country) == (
        ("Europe/Berlin",),
        ZoneSource.PROFILE,
        "US",
    )


def test_utc_in_a_profile_means_unknown_so_the_area_code_decides() -> None:
    found = recipient_zones("UTC", "+12125550100", RULES)  # a Manhattan number

    assert (found.zones, found.source) == (("America/New_York",), ZoneSource.PHONE_NUMBER)


def test_a_number_spanning_a_country_uses_the_configured_zones() -> None:
    toll_free = recipient_zones(None, "+18885550100", RULES)
    russian_mobile = recipient_zones(None, "+79161234567", RULES)

    assert toll_free.source is ZoneSource.COUNTRY
    assert toll_free.zones == (
        "America/Chicago",
        "America/Denver",
        "America/Los_Angeles",
        "America/New_York",
        "America/Phoenix",
    )
    assert russian_mobile.zones == ("Europe/Moscow",)


def test_without_a_country_entry_every_zone_of_the_number_counts_in_a_stable_order() -> None:
    rules = PolicyRules(country_time_zones={"US": ()})

    first = recipient_zones(None, "+18885550100", rules)
    again = recipient_zones(None, "+18885550100", rules)

    assert first == again
    assert first.source is ZoneSource.PHONE_NUMBER
    assert len(first.zones) > 10 and list(first.zones) == sorted(first.zones)


def test_nothing_known_falls_back_to_utc() -> None:
    found = recipient_zones(None, None, RULES)

    assert (found.zones, found.source) == (("UTC",), ZoneSource.DEFAULT)


# ---- one zone --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "quiet"),
    [
        (datetime(2026, 6, 10, 7, 59, 59), True),
        (datetime(2026, 6, 10, 8, 0), False),
        (datetime(2026, 6, 10, 20, 59, 59), False),
        (datetime(2026, 6, 10, 21, 0), True),
        (datetime(2026, 6, 10, 23, 59, 59), True),
        (datetime(2026, 6, 11, 0, 0), True),
    ],
)
def test_the_window_edges(local: datetime, quiet: bool) -> None:
    now = local.replace(tzinfo=NEW_YORK)

    assert check_quiet_hours(now, zones("America/New_York"), DAYTIME).quiet is quiet


def test_before_midnight_waits_for_tomorrow_after_midnight_for_today() -> None:
    before = datetime(2026, 6, 10, 23, 59, 59, tzinfo=NEW_YORK)
    after = datetime(2026, 6, 11, 0, 0, 1, tzinfo=NEW_YORK)
    expected = datetime(2026, 6, 11, 8, 0, tzinfo=NEW_YORK)

    assert opens(before, zones("America/New_York")) == expected
    assert opens(after, zones("America/New_York")) == expected


def test_an_open_window_sends_now() -> None:
    now = datetime(2026, 6, 10, 12, 0, tzinfo=NEW_YORK)

    verdict = check_quiet_hours(now, zones("America/New_York"), DAYTIME)

    assert not verdict.quiet
    assert verdict.opens_at == now


def test_the_night_the_clocks_spring_forward_is_an_hour_shorter() -> None:
    # 2026-03-08 02:00 EST -> 03:00 EDT: 22:00 to 08:00 is nine hours, not ten.
    now = datetime(2026, 3, 7, 22, 0, tzinfo=NEW_YORK)

    opening = opens(now, zones("America/New_York"))

    assert opening == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)  # 08:00 EDT
    assert (opening - now).total_seconds() == 9 * 3600


def test_the_night_the_clocks_fall_back_is_an_hour_longer() -> None:
    # 2026-11-01 02:00 EDT -> 01:00 EST: 22:00 to 08:00 is eleven hours.
    now = datetime(2026, 10, 31, 22, 0, tzinfo=NEW_YORK)

    opening = opens(now, zones("America/New_York"))

    assert opening == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)  # 08:00 EST
    assert (opening - now).total_seconds() == 11 * 3600


def test_a_window_opening_inside_the_spring_gap_opens_when_the_clock_jumps() -> None:
    # 02:30 never happens on 2026-03-08 in New York; the clock jumps 02:00 -> 03:00.
    now = datetime(2026, 3, 8, 1, 0, tzinfo=NEW_YORK)
    window = SendingWindow(start=time(2, 30), end=time(21))

    assert opens(now, zones("America/New_York"), window) == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)


def test_a_window_opening_inside_the_repeated_autumn_hour_opens_the_first_time() -> None:
    now = datetime(2026, 11, 1, 0, 30, tzinfo=NEW_YORK)  # EDT
    window = SendingWindow(start=time(1, 30), end=time(21))

    assert opens(now, zones("America/New_York"), window) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # 2026-03-29 02:00 CET -> 03:00 CEST
        (datetime(2026, 3, 28, 21, 30, tzinfo=BERLIN), datetime(2026, 3, 29, 6, 0, tzinfo=UTC)),
        # 2026-10-25 03:00 CEST -> 02:00 CET
        (datetime(2026, 10, 24, 21, 30, tzinfo=BERLIN), datetime(2026, 10, 25, 7, 0, tzinfo=UTC)),
    ],
)
def test_berlin_around_its_changes(now: datetime, expected: datetime) -> None:
    assert opens(now, zones("Europe/Berlin")) == expected


def test_a_window_past_midnight() -> None:
    window = SendingWindow(start=time(22), end=time(2))
    noon = datetime(2026, 6, 10, 12, 0, tzinfo=BERLIN)
    late = datetime(2026, 6, 11, 1, 0, tzinfo=BERLIN)

    assert opens(noon, zones("Europe/Berlin"), window) == datetime(2026, 6, 10, 20, 0, tzinfo=UTC)
    assert not check_quiet_hours(late, zones("Europe/Berlin"), window).quiet


def test_next_opening_accepts_any_zone_for_now() -> None:
    now_in_utc = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)  # 22:00 the day before in New York

    assert next_opening(now_in_utc, "America/New_York", DAYTIME) == datetime(
        2026, 6, 10, 12, 0, tzinfo=UTC
    )


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        check_quiet_hours(datetime(2026, 6, 10, 12), zones("UTC"), DAYTIME)


# ---- several zones ---------------------------------------------------------------------


def test_several_zones_open_only_where_all_are_open() -> None:
    mainland = recipient_zones(None, "+18885550100", RULES)
    morning_in_new_york = datetime(2026, 7, 1, 12, 30, tzinfo=UTC)  # 05:30 in Los Angeles
    evening_in_new_york = datetime(2026, 7, 2, 1, 0, tzinfo=UTC)  # 21:00 in New York

    assert opens(morning_in_new_york, mainland) == datetime(2026, 7, 1, 15, 0, tzinfo=UTC)
    assert opens(evening_in_new_york, mainland) == datetime(2026, 7, 2, 15, 0, tzinfo=UTC)
    assert not check_quiet_hours(datetime(2026, 7, 1, 20, 0, tzinfo=UTC), mainland, DAYTIME).quiet


def test_the_reason_names_the_zones_that_are_closed() -> None:
    mainland = recipient_zones(None, "+18885550100", RULES)

    verdict = check_quiet_hours(datetime(2026, 7, 2, 1, 0, tzinfo=UTC), mainland, DAYTIME)

    assert verdict.reason == (
        "quiet hours: 21:00 in America/New_York, outside 08:00-21:00; "
        "sending at 2026-07-02 15:00 UTC"
    )


def test_zones_with_no_common_daytime_decide_in_the_middle_one() -> None:
    far_apart = zones("Asia/Tokyo", "Europe/London", "America/Los_Angeles")
    now = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)  # 03:00 London, 12:00 Tokyo, 19:00 LA

    verdict = check_quiet_hours(now, far_apart, DAYTIME)

    assert verdict.zones == ("Europe/London",)
    assert verdict.opens_at == datetime(2026, 1, 15, 8, 0, tzinfo=UTC)
