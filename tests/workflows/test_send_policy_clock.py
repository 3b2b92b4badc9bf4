"""The send policy's clock rules in the workflow, on the time-skipping server.

The server's clock starts at the real "now", so each test computes the wall-clock moment
it needs (20:59 in Tokyo, the Saturday night before New York's clocks change...) from the
server's current time and sleeps the server forward to it. Every assertion is on exact
local times: a message held for the morning must go out at 08:00 local, not a minute
before and not an hour late.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from domain.events import MilestoneEvent
from domain.timeline import Channel, EntryKind, MessageRecord, MessagingHistory
from policy.frequency import RecentSend
from policy.rules import FrequencyCap, NotificationTypeRule, PolicyRules, SendingWindow
from starter.client import signal_milestone
from tests.helpers.events import order_event
from tests.helpers.policies import permissive_rules
from tests.helpers.temporal import new_worker
from tests.workflows.stand_ins import FakeChannels
from tests.workflows.test_notification_flow import history_of, report, wait_for

TOKYO = ZoneInfo("Asia/Tokyo")  # no daylight-saving time: a night is always 11 hours
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
MORNING = time(8, 0)
SLACK = timedelta(minutes=1)  # how far a send may be from the instant the rules name


# ---- the server's clock -------------------------------------------------------------------


async def sleep_until(env: WorkflowEnvironment, instant: datetime) -> None:
    """Skip the server's clock forward to ``instant``."""
    now = await env.get_current_time()
    assert instant > now, f"{instant} is already past (server time {now})"
    await env.sleep(instant - now)


def next_wall_clock(after: datetime, zone: ZoneInfo, wall_clock: time) -> datetime:
    """The first instant at least 5 minutes after ``after`` when ``zone`` shows ``wall_clock``."""
    earliest = after + timedelta(minutes=5)
    day = earliest.astimezone(zone).date()
    while True:
        instant = datetime.combine(day, wall_clock, tzinfo=zone)
        if instant >= earliest:
            return instant
        day += timedelta(days=1)


def local(day: date, wall_clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, wall_clock, tzinfo=zone)


def next_clock_change(after: datetime, zone: ZoneInfo, *, forward: bool) -> date:
    """The first local day, at least two days after ``after``, whose clocks jump ``forward``
    (spring) or back (autumn)."""
    day = after.astimezone(zone).date() + timedelta(days=2)
    for _ in range(400):
        before = local(day - timedelta(days=1), time(12), zone).utcoffset()
        changed = local(day, time(12), zone).utcoffset()
        assert before is not None and changed is not None
        if changed != before and (changed > before) == forward:
            return day
        day += timedelta(days=1)
    raise AssertionError(f"{zone.key} does not change its clocks")


# ---- what the workflow did ----------------------------------------------------------------


def sms_of(history: MessagingHistory) -> list[MessageRecord]:
    """Every SMS the workflow started to send (its record comes before the provider call)."""
    return [m for m in history.messages if m.channel is Channel.SMS]


def sent_sms(history: MessagingHistory) -> list[MessageRecord]:
    """The SMS the provider took."""
    return [m for m in sms_of(history) if m.provider_message_id]


def sent_at(record: MessageRecord) -> datetime:
    """When the provider took the SMS (the workflow's clock at the send's result)."""
    return record.statuses[0].at


def entries(history: MessagingHistory, kind: EntryKind) -> list[str]:
    return [e.detail for e in history.entries if e.kind is kind]


def assert_close(actual: datetime, expected: datetime) -> None:
    assert abs(actual - expected) <= SLACK, (
        f"at {actual.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC, "
        f"expected {expected.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
    )


def assert_lasted(actual: timedelta, expected: timedelta) -> None:
    assert abs(actual - expected) <= SLACK, f"waited {actual}, expected {expected}"


async def signal(
    env: WorkflowEnvironment, task_queue: str, event: MilestoneEvent
) -> WorkflowHandle:
    return await signal_milestone(env.client, event, task_queue=task_queue)


def holds_until(history: MessagingHistory, instant: datetime) -> bool:
    """Whether the (first) hold names ``instant`` as its end; the reason gives it in UTC."""
    return (
        f"sending at {instant.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        in (entries(history, EntryKind.HELD)[0])
    )


async def held(handle: WorkflowHandle) -> MessagingHistory:
    """Wait until the workflow has taken its decision to hold, and nothing is sent."""
    history = await wait_for(handle, lambda h: bool(entries(h, EntryKind.HELD)))
    assert not sms_of(history)
    return history


async def still_unsent_at(env: WorkflowEnvironment, handle: WorkflowHandle, at: datetime) -> None:
    await sleep_until(env, at)
    assert not sms_of(await history_of(handle)), f"sent before {at}"


def quiet_hours_rules(**changes: object) -> PolicyRules:
    """No caps or coalescing; the default sending window, 08:00-21:00 local."""
    return permissive_rules(sending_window=SendingWindow(), **changes)


def capped(rules: PolicyRules, cap: FrequencyCap) -> PolicyRules:
    """``rules`` with ``cap`` on order progress (shipped...); other types unchanged."""
    types = {**rules.notification_types, "order_progress": NotificationTypeRule(frequency_cap=cap)}
    return rules.model_copy(update={"notification_types": types})


# ---- tests --------------------------------------------------------------------------------


async def test_a_routine_sms_signalled_at_20_59_local_goes_at_once(
    env: WorkflowEnvironment,
) -> None:
    fake = FakeChannels()
    fake.policy.rules = quiet_hours_rules()
    at = next_wall_clock(await env.get_current_time(), TOKYO, time(20, 59))
    await sleep_until(env, at)
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal(
            env, worker.task_queue, order_event("shipped", "T2059", time_zone=TOKYO.key)
        )
        history = await wait_for(handle, lambda h: len(sent_sms(h)) == 1)
        assert not entries(history, EntryKind.HELD)
        sent = sent_at(sms_of(history)[0]).astimezone(TOKYO)
        assert at <= sent < local(at.date(), time(21, 0), TOKYO)


async def test_a_routine_sms_signalled_at_21_01_local_waits_past_midnight_for_08_00(
    env: WorkflowEnvironment,
) -> None:
    fake = FakeChannels()
    fake.policy.rules = quiet_hours_rules()
    at = next_wall_clock(await env.get_current_time(), TOKYO, time(21, 1))
    await sleep_until(env, at)
    next_day = at.date() + timedelta(days=1)
    morning = local(next_day, MORNING, TOKYO)
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal(
            env, worker.task_queue, order_event("shipped", "T2101", time_zone=TOKYO.key)
        )
        history = await held(handle)
        assert "quiet_hours" in entries(history, EntryKind.HELD)[0]
        assert holds_until(history, morning)
        # Not at midnight (a "today's 08:00" mistake), not at 07:59.
        await still_unsent_at(env, handle, local(at.date(), time(23, 59), TOKYO))
        await still_unsent_at(env, handle, local(next_day, time(0, 1), TOKYO))
        await still_unsent_at(env, handle, morning - SLACK)

        await sleep_until(env, morning + 2 * SLACK)
        history = await wait_for(handle, lambda h: len(sent_sms(h)) == 1)
        assert sms_of(history)[0].milestone.value == "shipped"
        assert_close(sent_at(sms_of(history)[0]), morning)
        assert_lasted(sent_at(sms_of(history)[0]) - at, timedelta(hours=10, minutes=59))
        assert len(fake.sms) == 1 and len(fake.fact_requests) == 2


@pytest.mark.parametrize(
    ("zone", "forward", "night"),
    [
        (NEW_YORK, True, timedelta(hours=9, minutes=30)),  # second Sunday of March
        (BERLIN, True, timedelta(hours=9, minutes=30)),  # last Sunday of March
        (NEW_YORK, False, timedelta(hours=11, minutes=30)),  # first Sunday of November
        (BERLIN, False, timedelta(hours=11, minutes=30)),  # last Sunday of October
    ],
    ids=["new-york-spring", "berlin-spring", "new-york-autumn", "berlin-autumn"],
)
async def test_a_message_held_over_a_clock_change_goes_at_08_00_on_the_changed_day(
    env: WorkflowEnvironment, zone: ZoneInfo, forward: bool, night: timedelta
) -> None:
    fake = FakeChannels()
    fake.policy.rules = quiet_hours_rules()
    changed_day = next_clock_change(await env.get_current_time(), zone, forward=forward)
    at = local(changed_day - timedelta(days=1), time(21, 30), zone)
    morning = local(changed_day, MORNING, zone)
    # 10h30 of wall clock; an hour less (more) in real time. (Aware datetimes in one zone
    # subtract as wall clocks, hence UTC.)
    assert morning.astimezone(UTC) - at.astimezone(UTC) == night
    await sleep_until(env, at)
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal(
            env, worker.task_queue, order_event("shipped", "DST", time_zone=zone.key)
        )
        history = await held(handle)
        assert holds_until(history, morning)
        # A wait of 10h30 in real time would send at 07:00 local after a fall back (caught
        # here) and at 09:00 after a spring forward (caught by the send time below).
        await still_unsent_at(env, handle, morning - SLACK)

        await sleep_until(env, morning + 2 * SLACK)
        history = await wait_for(handle, lambda h: len(sent_sms(h)) == 1)
        sent = sent_at(sms_of(history)[0])
        assert_close(sent, morning)
        assert sent.astimezone(zone).date() == changed_day
        assert_lasted(sent - at, night)
        assert len(fake.fact_requests) == 2  # decided at 21:30, then once more when due


async def test_a_country_window_applies_when_the_number_decides_the_zone(
    env: WorkflowEnvironment,
) -> None:
    """No profile zone (UTC means unknown): the German number puts the customer in Berlin,
    and Germany's configured window (10:00-18:00) applies, not the default 08:00-21:00."""
    fake = FakeChannels()
    fake.policy.rules = quiet_hours_rules(
        sending_windows_by_country={"DE": SendingWindow(start=time(10), end=time(18))}
    )
    at = next_wall_clock(await env.get_current_time(), BERLIN, time(18, 30))
    await sleep_until(env, at)
    next_day = at.date() + timedelta(days=1)
    opens = local(next_day, time(10), BERLIN)
    async with new_worker(env.client, fake.activities()) as worker:
        german = order_event("shipped", "DE1", phone="+4930901820", time_zone="UTC")
        handle = await signal(env, worker.task_queue, german)
        history = await held(handle)
        assert "Europe/Berlin" in entries(history, EntryKind.HELD)[0]
        assert holds_until(history, opens)
        # 08:00 would end the default window's night; Germany's starts at 10:00.
        await still_unsent_at(env, handle, local(next_day, time(8, 1), BERLIN))
        await still_unsent_at(env, handle, opens - SLACK)

        await sleep_until(env, opens + 2 * SLACK)
        history = await wait_for(handle, lambda h: len(sent_sms(h)) == 1)
        assert_close(sent_at(sms_of(history)[0]), opens)
        assert fake.sms[0].to == "+4930901820"


async def test_the_default_window_still_applies_to_other_countries(
    env: WorkflowEnvironment,
) -> None:
    """The German override leaves a Japanese number (no profile zone) on 08:00-21:00."""
    fake = FakeChannels()
    fake.policy.rules = quiet_hours_rules(
        sending_windows_by_country={"DE": SendingWindow(start=time(10), end=time(18))}
    )
    at = next_wall_clock(await env.get_current_time(), TOKYO, time(18, 30))
    await sleep_until(env, at)
    async with new_worker(env.client, fake.activities()) as worker:
        japanese = order_event("shipped", "JP1", phone="+81312345678", time_zone="UTC")
        handle = await signal(env, worker.task_queue, japanese)
        history = await wait_for(handle, lambda h: len(sent_sms(h)) == 1)
        assert not entries(history, EntryKind.HELD)
        assert_close(sent_at(sms_of(history)[0]), at)


async def test_a_capped_message_goes_when_the_oldest_send_leaves_the_rolling_window(
    env: WorkflowEnvironment,
) -> None:
    """Two per 6-hour window: sends at 19:30 and 22:00 local fill it, a message at 23:00 waits
    until 01:30 (19:30 + 6h), past midnight; a calendar-day cap would send at 00:00."""
    cap = FrequencyCap(max_messages=2, window_seconds=6 * 3600)
    fake = FakeChannels()
    fake.policy.rules = capped(permissive_rules(), cap)  # no quiet hours
    at = next_wall_clock(await env.get_current_time(), TOKYO, time(23, 0))
    fake.facts.recent_sms = [
        RecentSend(at=at - timedelta(hours=3, minutes=30), notification_type="order_progress"),
        RecentSend(at=at - timedelta(hours=1), notification_type="delivery_delay"),
    ]
    frees = at + timedelta(hours=2, minutes=30)
    assert frees.astimezone(TOKYO).time() == time(1, 30)
    await sleep_until(env, at)
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal(
            env, worker.task_queue, order_event("shipped", "CAP", time_zone=TOKYO.key)
        )
        history = await wait_for(handle, lambda h: bool(entries(h, EntryKind.MERGED)))
        assert "frequency_cap" in entries(history, EntryKind.MERGED)[0]
        assert not sms_of(history)
        await still_unsent_at(env, handle, local(frees.date(), time(0, 1), TOKYO))
        await still_unsent_at(env, handle, frees - SLACK)

        await sleep_until(env, frees + 2 * SLACK)
        history = await wait_for(handle, lambda h: len(sent_sms(h)) == 1)
        assert_close(sent_at(sms_of(history)[0]), frees)
        assert len(fake.sms) == 1


async def test_a_capped_message_freed_at_night_then_waits_for_the_morning(
    env: WorkflowEnvironment,
) -> None:
    """The cap frees a place at 01:30; quiet hours then hold the message until 08:00."""
    cap = FrequencyCap(max_messages=1, window_seconds=6 * 3600)
    fake = FakeChannels()
    fake.policy.rules = capped(quiet_hours_rules(), cap)
    at = next_wall_clock(await env.get_current_time(), TOKYO, time(20, 0))
    fake.facts.recent_sms = [
        RecentSend(at=at - timedelta(minutes=30), notification_type="order_progress")
    ]
    frees = at + timedelta(hours=5, minutes=30)
    morning = local(frees.astimezone(TOKYO).date(), MORNING, TOKYO)
    await sleep_until(env, at)
    async with new_worker(env.client, fake.activities()) as worker:
        handle = await signal(
            env, worker.task_queue, order_event("shipped", "CAPQ", time_zone=TOKYO.key)
        )
        history = await wait_for(handle, lambda h: bool(entries(h, EntryKind.MERGED)))
        assert "frequency_cap" in entries(history, EntryKind.MERGED)[0]
        await still_unsent_at(env, handle, frees + 2 * SLACK)
        await still_unsent_at(env, handle, morning - SLACK)

        await sleep_until(env, morning + 2 * SLACK)
        history = await wait_for(handle, lambda h: len(sent_sms(h)) == 1)
        assert_close(sent_at(sms_of(history)[0]), morning)
        assert len(fake.fact_requests) == 3  # at 20:00, when the cap freed, at 08:00
        # When the cap freed at night, the new reason to wait went on record.
        assert any("quiet_hours" in e for e in entries(history, EntryKind.HELD))


@pytest.mark.parametrize("wall_clock", [time(23, 59), time(2, 0)], ids=["23:59", "02:00"])
async def test_a_critical_alert_at_night_is_sent_at_once(
    env: WorkflowEnvironment, wall_clock: time
) -> None:
    fake = FakeChannels()
    fake.policy.rules = quiet_hours_rules()
    at = next_wall_clock(await env.get_current_time(), TOKYO, wall_clock)
    await sleep_until(env, at)
    async with new_worker(env.client, fake.activities()) as worker:
        attempted = order_event("delivery_attempted", "CRIT", time_zone=TOKYO.key)
        handle = await signal(env, worker.task_queue, attempted)
        history = await wait_for(handle, lambda h: len(sent_sms(h)) == 1)
        assert not entries(history, EntryKind.HELD)
        assert sms_of(history)[0].milestone.value == "delivery_attempted"
        assert_close(sent_at(sms_of(history)[0]), at)


def test_next_clock_change_finds_the_known_dates() -> None:
    november = datetime(2026, 11, 23, tzinfo=UTC)
    assert next_clock_change(november, NEW_YORK, forward=True) == date(2027, 3, 14)
    assert next_clock_change(november, BERLIN, forward=True) == date(2027, 3, 28)
    assert next_clock_change(november, NEW_YORK, forward=False) == date(2027, 11, 7)
    assert next_clock_change(november, BERLIN, forward=False) == date(2027, 10, 31)
    assert next_clock_change(datetime(2027, 3, 13, 12, tzinfo=UTC), NEW_YORK, forward=True) == date(
        2028, 3, 12
    )


async def test_a_message_merged_in_the_morning_is_not_carried_by_last_nights_alert(
    env: WorkflowEnvironment,
) -> None:
    """Held at 21:30 for the night; a critical alert goes at 22:30; at 08:00 the cap is
    full (another order's SMS at 05:00), so the message merges until 11:00. No message of
    the order goes out after 08:00, so at 11:00 it must be sent, not "carried by" the
    alert the customer got the night before."""
    cap = FrequencyCap(max_messages=1, window_seconds=6 * 3600)
    fake = FakeChannels()
    fake.policy.rules = capped(quiet_hours_rules(), cap)
    at = next_wall_clock(await env.get_current_time(), TOKYO, time(21, 30))
    morning = local(at.date() + timedelta(days=1), MORNING, TOKYO)
    frees = local(morning.date(), time(11), TOKYO)
    await sleep_until(env, at)
    async with new_worker(env.client, fake.activities()) as worker:
        shipped = order_event("shipped", "NIGHT", time_zone=TOKYO.key, step=0)
        handle = await signal(env, worker.task_queue, shipped)
        await held(handle)
        await sleep_until(env, at + timedelta(hours=1))
        attempted = order_event("delivery_attempted", "NIGHT", time_zone=TOKYO.key, step=1)
        await signal(env, worker.task_queue, attempted)
        history = await wait_for(handle, lambda h: len(sent_sms(h)) == 1)
        await report(handle, sent_sms(history)[0].provider_message_id or "", "delivered")
        fake.facts.recent_sms = [
            RecentSend(at=frees - timedelta(hours=6), notification_type="order_progress")
        ]

        await sleep_until(env, frees + 2 * SLACK)
        carried = lambda h: [e for e in entries(h, EntryKind.MERGED) if "carried by" in e]  # noqa: E731
        history = await wait_for(handle, lambda h: len(sent_sms(h)) == 2 or bool(carried(h)))
        assert not carried(history), "merged into last night's alert"
        # The morning's decision is on record: support sees why it waited until 11:00.
        assert any("frequency_cap" in e for e in entries(history, EntryKind.MERGED))
        assert sms_of(history)[1].milestone.value == "shipped"
        assert_close(sent_at(sms_of(history)[1]), frees)
