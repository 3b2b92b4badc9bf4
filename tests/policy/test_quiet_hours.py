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
    share_daytime,
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

    assert toll_free.source is ZoneSource.COUNTRY
    assert toll_free.zones == (
        "America/Anchorage",
        "America/Chicago",
        "America/Denver",
        "America/Los_Angeles",
        "America/New_York",
        "America/Phoenix",
        "America/Puerto_Rico",
        "Pacific/Honolulu",
    )


# ---- uncertain zones: daytime everywhere the number may be -------------------------------


def test_alaska_numbers_are_checked_in_alaska_not_in_the_lower_48() -> None:
    alaska = recipient_zones(None, "+19075550123", RULES)
    assert alaska.zones == ("America/Adak", "America/Anchorage")

    # 07:30 in Anchorage (AKST, UTC-9) is 11:30 in New York: quiet in Alaska.
    verdict = check_quiet_hours(datetime(2026, 1, 15, 16, 30, tzinfo=UTC), alaska, DAYTIME)
    assert verdict.quiet
    # Open once 08:00 has come in Adak (HST, UTC-10) as well.
    assert verdict.opens_at == datetime(2026, 1, 15, 18, 0, tzinfo=UTC)


def test_a_toll_free_number_waits_for_daytime_in_hawaii_too() -> None:
    toll_free = recipient_zones(None, "+18005550199", RULES)
    hawaii_five_am = datetime(2026, 1, 15, 15, 0, tzinfo=UTC)  # 10:00 in New York

    verdict = check_quiet_hours(hawaii_five_am, toll_free, DAYTIME)

    assert verdict.quiet
    assert verdict.opens_at == datetime(2026, 1, 15, 18, 0, tzinfo=UTC)  # 08:00 in Honolulu
    assert "Pacific/Honolulu" in verdict.reason


def test_a_toll_free_number_closes_when_puerto_rico_reaches_21_00() -> None:
    toll_free = recipient_zones(None, "+18005550199", RULES)
    assert not check_quiet_hours(datetime(2026, 1, 16, 0, 59, tzinfo=UTC), toll_free, DAYTIME).quiet
    assert check_quiet_hours(datetime(2026, 1, 16, 1, 0, tzinfo=UTC), toll_free, DAYTIME).quiet


def test_a_russian_mobile_waits_for_daytime_from_the_baltic_to_kamchatka() -> None:
    russian = recipient_zones(None, "+79161234567", RULES)
    assert {"Europe/Moscow", "Asia/Kamchatka", "Asia/Vladivostok"} <= set(russian.zones)

    # 12:00 in Moscow is 21:00 in Kamchatka: too late there.
    assert check_quiet_hours(datetime(2026, 1, 15, 9, 0, tzinfo=UTC), russian, DAYTIME).quiet
    # 09:00 in Moscow is 18:00 in Kamchatka and 08:00 in Kaliningrad's offset: open.
    assert not check_quiet_hours(datetime(2026, 1, 15, 6, 0, tzinfo=UTC), russian, DAYTIME).quiet


def test_an_indonesian_mobile_counts_every_indonesian_zone() -> None:
    indonesian = recipient_zones(None, "+6281234567890", RULES)
    assert indonesian.zones == ("Asia/Jakarta", "Asia/Jayapura", "Asia/Makassar")
    assert indonesian.source is ZoneSource.COUNTRY

    # 20:30 in Jakarta is 22:30 in Jayapura.
    assert check_quiet_hours(datetime(2026, 1, 15, 13, 30, tzinfo=UTC), indonesian, DAYTIME).quiet
    # 08:00 in Jakarta is 10:00 in Jayapura: open.
    assert not check_quiet_hours(datetime(2026, 1, 15, 1, 0, tzinfo=UTC), indonesian, DAYTIME).quiet


def test_an_australian_mobile_counts_perth_and_lord_howe() -> None:
    australian = recipient_zones(None, "+61412345678", RULES)
    assert {"Australia/Perth", "Australia/Sydney", "Australia/Lord_Howe"} <= set(australian.zones)

    # 07:30 in Perth (UTC+8) is 10:30 in Sydney: quiet in Perth.
    assert check_quiet_hours(datetime(2026, 1, 14, 23, 30, tzinfo=UTC), australian, DAYTIME).quiet
    # 08:45 in Perth is 07:15 on the Cocos Islands (UTC+6:30), which +61 4 also covers.
    assert check_quiet_hours(datetime(2026, 1, 15, 0, 45, tzinfo=UTC), australian, DAYTIME).quiet
    # 21:00 in Sydney (AEDT, UTC+11): quiet, though it is 18:00 in Perth.
    assert check_quiet_hours(datetime(2026, 1, 15, 10, 0, tzinfo=UTC), australian, DAYTIME).quiet
    assert not check_quiet_hours(datetime(2026, 1, 15, 2, 0, tzinfo=UTC), australian, DAYTIME).quiet


@pytest.mark.parametrize(
    "phone", ["+19075550123", "+18005550199", "+79161234567", "+6281234567890", "+61412345678"]
)
def test_the_profile_zone_decides_when_given(phone: str) -> None:
    found = recipient_zones("Europe/Madrid", phone, RULES)
    assert (found.zones, found.source) == (("Europe/Madrid",), ZoneSource.PROFILE)


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "not a zone", "../../etc/passwd"])
def test_an_invalid_profile_zone_is_ignored_for_the_numbers_zones(zone: str) -> None:
    found = recipient_zones(zone, "+19075550123", RULES)
    assert (found.zones, found.source) == (
        ("America/Adak", "America/Anchorage"),
        ZoneSource.PHONE_NUMBER,
    )


def test_a_fixed_line_keeps_its_single_zone_and_a_mobile_elsewhere_too() -> None:
    berlin_fixed = recipient_zones(None, "+493012345678", RULES)
    german_mobile = recipient_zones(None, "+4915112345678", RULES)  # no German list
    assert berlin_fixed.zones == german_mobile.zones == ("Europe/Berlin",)
    assert recipient_zones(None, "+14155550100", RULES).zones == ("America/Los_Angeles",)


def test_every_configured_country_shares_daytime_all_year() -> None:
    for country, zones in RULES.country_time_zones.items():
        assert share_daytime(zones, DAYTIME), country


def test_zones_share_daytime_only_with_an_hour_in_common() -> None:
    eleven_to_twenty_one = SendingWindow(start=time(11, 0), end=time(21, 0))  # 10 h
    # Honolulu (UTC-10) to Puerto Rico (UTC-4): 6 h apart, leaves 4 h.
    assert share_daytime(("Pacific/Honolulu", "America/Puerto_Rico"), eleven_to_twenty_one)
    # Guam (UTC+10) to Honolulu: 20 h apart.
    assert not share_daytime(("Pacific/Guam", "Pacific/Honolulu"), DAYTIME)
    nine_hours = SendingWindow(start=time(9, 0), end=time(18, 0))
    # Tokyo (UTC+9) and UTC+1 are 8 h apart: exactly one hour of a 9 h window in common.
    assert share_daytime(("Asia/Tokyo", "Etc/GMT-1"), nine_hours)
    # Tokyo and UTC are 9 h apart: nothing in common.
    assert not share_daytime(("Asia/Tokyo", "Etc/UTC"), nine_hours)
    # London is 9 h from Tokyo in January only: daylight saving cannot hide the gap.
    assert not share_daytime(("Asia/Tokyo", "Europe/London"), nine_hours)
    overnight = SendingWindow(start=time(22, 0), end=time(7, 0))  # wraps: 9 h
    assert share_daytime(("Asia/Tokyo", "Etc/GMT-1"), overnight)
    assert not share_daytime((), DAYTIME)


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
    mainland = zones(
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Phoenix",
        "America/Los_Angeles",
    )
    morning_in_new_york = datetime(2026, 7, 1, 12, 30, tzinfo=UTC)  # 05:30 in Los Angeles
    evening_in_new_york = datetime(2026, 7, 2, 1, 0, tzinfo=UTC)  # 21:00 in New York

    assert opens(morning_in_new_york, mainland) == datetime(2026, 7, 1, 15, 0, tzinfo=UTC)
    assert opens(evening_in_new_york, mainland) == datetime(2026, 7, 2, 15, 0, tzinfo=UTC)
    assert not check_quiet_hours(datetime(2026, 7, 1, 20, 0, tzinfo=UTC), mainland, DAYTIME).quiet


def test_the_reason_names_the_zones_that_are_closed() -> None:
    toll_free = recipient_zones(None, "+18885550100", RULES)

    verdict = check_quiet_hours(datetime(2026, 7, 2, 1, 0, tzinfo=UTC), toll_free, DAYTIME)

    assert verdict.reason == (
        "quiet hours: 21:00 in America/New_York, 21:00 in America/Puerto_Rico, "
        "outside 08:00-21:00; sending at 2026-07-02 18:00 UTC"
    )


def test_zones_with_no_common_daytime_decide_in_the_middle_one() -> None:
    far_apart = zones("Asia/Tokyo", "Europe/London", "America/Los_Angeles")
    now = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)  # 03:00 London, 12:00 Tokyo, 19:00 LA

    verdict = check_quiet_hours(now, far_apart, DAYTIME)

    assert verdict.zones == ("Europe/London",)
    assert verdict.opens_at == datetime(2026, 1, 15, 8, 0, tzinfo=UTC)


def test_the_zones_describe_themselves_for_support() -> None:
    one = RecipientZones(zones=("Europe/Berlin",), source=ZoneSource.PROFILE)
    three = RecipientZones(zones=("A/a", "B/b", "C/c"), source=ZoneSource.COUNTRY)
    four = RecipientZones(zones=("A/a", "B/b", "C/c", "D/d"), source=ZoneSource.PHONE_NUMBER)
    assert one.describe() == "Europe/Berlin (from the profile)"
    assert three.describe() == "A/a, B/b, C/c (from the country)"
    assert four.describe() == "A/a, B/b, C/c ... (from the phone number)"


def test_an_overnight_window_with_no_common_hour_is_not_shared() -> None:
    overnight = SendingWindow(start=time(22, 0), end=time(7, 0))  # wraps: 9 h
    assert not share_daytime(("Asia/Tokyo", "Etc/UTC"), overnight)  # 9 h apart


def test_a_mobile_keeps_its_own_zone_beside_the_countrys() -> None:
    rules = PolicyRules(country_time_zones={"ID": ("Asia/Makassar", "Asia/Jayapura")})
    found = recipient_zones(None, "+6281234567890", rules)
    assert found.zones == ("Asia/Jakarta", "Asia/Jayapura", "Asia/Makassar")
