"""The sender limiter: slots, the per-window guarantee, the daily cap and back-pressure."""

import heapq
import random
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from store.database import make_session_factory
from store.repository import Store
from store.send_window import PermitRefusal, SenderLimiter, next_utc_midnight, utc_day

SENDER = "+15005550006"
MIDDAY = datetime(2026, 3, 14, 12, 0, tzinfo=UTC).timestamp()


@pytest.fixture
def limiter(store: Store) -> SenderLimiter:
    return SenderLimiter(make_session_factory(store.engine))


def most_in_one_window(times: list[float], window: float = 1.0) -> int:
    """The largest number of ``times`` inside any half-open window [t, t + window)."""
    ordered = sorted(times)
    best, start = 0, 0
    for end, instant in enumerate(ordered):
        while instant - ordered[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_the_helper_counts_a_window_as_half_open() -> None:
    assert most_in_one_window([0.0, 0.5, 0.999]) == 3
    assert most_in_one_window([0.0, 1.0, 2.0]) == 1


def test_slots_follow_the_rate_and_never_lie_in_the_past(limiter: SenderLimiter) -> None:
    slots = [limiter.reserve(SENDER, 2.0, now=MIDDAY) for _ in range(4)]

    assert slots == [MIDDAY, MIDDAY + 0.5, MIDDAY + 1.0, MIDDAY + 1.5]
    assert limiter.reserve(SENDER, 2.0, now=MIDDAY + 100) == MIDDAY + 100


def test_a_full_window_refuses_and_says_when_to_ask_again(limiter: SenderLimiter) -> None:
    first = limiter.acquire(SENDER, 2.0, MIDDAY)
    second = limiter.acquire(SENDER, 2.0, MIDDAY + 0.2)
    third = limiter.acquire(SENDER, 2.0, MIDDAY + 0.4)

    assert first.granted and second.granted
    assert not third.granted
    assert third.refusal == PermitRefusal.WINDOW
    assert third.retry_at == MIDDAY + 1.0  # when the oldest use leaves the window
    assert not limiter.acquire(SENDER, 2.0, MIDDAY + 0.999).granted
    assert limiter.acquire(SENDER, 2.0, MIDDAY + 1.0).granted


def test_late_timers_cannot_bunch_two_sends_into_one_second(limiter: SenderLimiter) -> None:
    # Slots one second apart, but the first timer fires 0.9 s late and the second on time.
    assert limiter.acquire(SENDER, 1.0, MIDDAY + 0.9).granted
    bunched = limiter.acquire(SENDER, 1.0, MIDDAY + 1.0)

    assert not bunched.granted
    assert bunched.retry_at == pytest.approx(MIDDAY + 1.9)


def test_no_window_ever_holds_more_than_the_limit(limiter: SenderLimiter) -> None:
    chance = random.Random(4)
    now, granted = MIDDAY, []
    for _ in range(400):
        now += chance.choice([0.0, 0.001, 0.01, 0.05, 0.2, 0.7])
        if limiter.acquire(SENDER, 5.0, now).granted:
            granted.append(now)

    assert most_in_one_window(granted) == 5  # reached, never passed


def test_a_backlog_with_late_timers_drains_near_the_limit(limiter: SenderLimiter) -> None:
    # 60 messages: each waits for its slot, its timer fires up to 0.3 s late, and a
    # refused one asks again when told (plus a little scheduling delay).
    chance = random.Random(7)
    rate = 5.0
    wakeups = [
        (limiter.reserve(SENDER, rate, now=MIDDAY) + chance.uniform(0, 0.3), n) for n in range(60)
    ]
    heapq.heapify(wakeups)
    granted: list[float] = []
    while wakeups:
        at, n = heapq.heappop(wakeups)
        permit = limiter.acquire(SENDER, rate, at)
        if permit.granted:
            granted.append(at)
        else:
            assert permit.retry_at is not None
            heapq.heappush(wakeups, (permit.retry_at + chance.uniform(0, 0.02), n))

    sustained = (len(granted) - 1) / (max(granted) - min(granted))
    assert most_in_one_window(granted) <= rate
    assert sustained >= 0.9 * rate


def test_a_rate_below_one_per_second_spreads_a_window_over_several(
    limiter: SenderLimiter,
) -> None:
    assert limiter.acquire(SENDER, 0.5, MIDDAY).granted
    assert not limiter.acquire(SENDER, 0.5, MIDDAY + 1.5).granted
    assert limiter.acquire(SENDER, 0.5, MIDDAY + 2.0).granted


def test_concurrent_callers_share_the_permits_exactly(limiter: SenderLimiter) -> None:
    def ask(_: int) -> bool:
        return limiter.acquire(SENDER, 10.0, MIDDAY).granted

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(ask, range(40)))

    assert answers.count(True) == 10


def test_many_callers_create_a_high_limits_permits_once(limiter: SenderLimiter) -> None:
    # A high limit means thousands of permit rows, which the first callers create together.
    # Each must find the rows made (not fail, not wait on the others' row-by-row inserts),
    # and the sender must end up with exactly one row per permit.
    def ask(i: int) -> bool:
        return limiter.acquire(SENDER, 5000.0, MIDDAY + i * 1e-4, daily_cap=100).granted

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(ask, range(40)))

    assert answers == [True] * 40
    assert limiter.sent_on(SENDER, utc_day(MIDDAY)) == 40
    assert limiter.permit_count(SENDER) == 5000


def test_creating_permits_again_keeps_their_last_use(limiter: SenderLimiter) -> None:
    assert limiter.acquire(SENDER, 1.0, MIDDAY).granted
    limiter.acquire(SENDER, 2.0, MIDDAY + 0.1)  # a raised limit adds the second permit

    refused = limiter.acquire(SENDER, 2.0, MIDDAY + 0.2)

    assert not refused.granted  # the first permit still counts its use at MIDDAY
    assert refused.retry_at == pytest.approx(MIDDAY + 1.0)
    assert limiter.permit_count(SENDER) == 2


def test_each_sender_has_its_own_permits(limiter: SenderLimiter) -> None:
    assert limiter.acquire("+15005550006", 1.0, MIDDAY).granted
    assert limiter.acquire("12345", 1.0, MIDDAY).granted
    assert not limiter.acquire("+15005550006", 1.0, MIDDAY + 0.5).granted


def test_the_daily_cap_holds_until_the_next_utc_day(limiter: SenderLimiter) -> None:
    granted = [limiter.acquire(SENDER, 1.0, MIDDAY + i, daily_cap=3).granted for i in range(3)]
    capped = limiter.acquire(SENDER, 1.0, MIDDAY + 10, daily_cap=3)

    assert granted == [True, True, True]
    assert not capped.granted
    assert capped.refusal == PermitRefusal.DAILY_CAP
    assert capped.retry_at == datetime(2026, 3, 15, tzinfo=UTC).timestamp()
    assert limiter.sent_on(SENDER, "2026-03-14") == 3
    assert limiter.acquire(SENDER, 1.0, capped.retry_at, daily_cap=3).granted
    assert limiter.sent_on(SENDER, "2026-03-15") == 1


def test_a_refused_permit_does_not_count_against_the_day(limiter: SenderLimiter) -> None:
    assert limiter.acquire(SENDER, 1.0, MIDDAY, daily_cap=5).granted
    assert not limiter.acquire(SENDER, 1.0, MIDDAY + 0.5, daily_cap=5).granted

    assert limiter.sent_on(SENDER, "2026-03-14") == 1


def test_back_pressure_halves_the_rate_for_a_while(limiter: SenderLimiter) -> None:
    state = limiter.report_back_pressure(
        SENDER, MIDDAY, factor=0.5, min_factor=0.125, cool_down_seconds=60
    )

    assert (state.rate_factor, state.slowed_until) == (0.5, MIDDAY + 60)
    slots = [limiter.reserve(SENDER, 4.0, now=MIDDAY) for _ in range(3)]
    assert slots == [MIDDAY, MIDDAY + 0.5, MIDDAY + 1.0]  # 2/s instead of 4/s
    assert [limiter.acquire(SENDER, 4.0, MIDDAY + 0.1).granted for _ in range(3)] == [
        True,
        True,
        False,
    ]
    assert limiter.rate_factor(SENDER, MIDDAY + 60) == 1.0  # cooled down


def test_other_processes_slow_down_within_a_second(store: Store) -> None:
    reporter = SenderLimiter(make_session_factory(store.engine))
    other = SenderLimiter(make_session_factory(store.engine))
    assert other.rate_factor(SENDER, MIDDAY) == 1.0  # read before the report

    reporter.report_back_pressure(
        SENDER, MIDDAY, factor=0.5, min_factor=0.125, cool_down_seconds=60
    )

    assert other.rate_factor(SENDER, MIDDAY + 0.5) == 1.0  # still trusting its last read
    assert other.rate_factor(SENDER, MIDDAY + 1.0) == 0.5


def test_back_pressure_compounds_once_a_second_down_to_a_floor(limiter: SenderLimiter) -> None:
    def report(at: float) -> float:
        return limiter.report_back_pressure(
            SENDER, at, factor=0.5, min_factor=0.125, cool_down_seconds=60
        ).rate_factor

    burst = [report(MIDDAY + i * 0.01) for i in range(5)]  # many in-flight sends, one 429 each
    later = [report(MIDDAY + 2), report(MIDDAY + 4), report(MIDDAY + 6)]

    assert burst == [0.5] * 5
    assert later == [0.25, 0.125, 0.125]
    assert report(MIDDAY + 6 + 61) == 0.5  # after a full cool-down it starts over


def test_a_retry_after_pushes_the_next_slot(limiter: SenderLimiter) -> None:
    assert limiter.reserve(SENDER, 1.0, now=MIDDAY) == MIDDAY
    limiter.report_back_pressure(
        SENDER, MIDDAY, factor=0.5, min_factor=0.125, cool_down_seconds=60, pause_seconds=30
    )

    assert limiter.reserve(SENDER, 1.0, now=MIDDAY + 1) == MIDDAY + 30


def test_utc_days_and_midnights() -> None:
    just_before = datetime(2026, 3, 14, 23, 59, 59, tzinfo=UTC).timestamp()

    assert utc_day(just_before) == "2026-03-14"
    assert utc_day(just_before + 1) == "2026-03-15"
    assert next_utc_midnight(just_before) == just_before + 1
    assert next_utc_midnight(just_before + 1) == just_before + 1 + 86400


def test_hosts_with_skewed_clocks_share_one_window_on_the_databases_clock(store: Store) -> None:
    """Two workers at 1/s, the first host's clock 300 ms behind. Stamped by the hosts'
    clocks, sends 0.75 s apart both get a permit; by the database's, the second waits."""
    import time

    host_a, host_b = SenderLimiter(make_session_factory(store.engine)), store.sender_limiter

    assert host_a.acquire("+15005550098", 1.0, now=time.time() - 0.3).granted
    time.sleep(0.75)
    assert host_b.acquire("+15005550098", 1.0, now=time.time()).granted  # the old flaw

    assert host_a.acquire("+15005550099", 1.0).granted  # None: the database's clock
    time.sleep(0.75)
    second = host_b.acquire("+15005550099", 1.0)
    assert not second.granted and second.refusal == "window"
    assert 0 < second.wait_seconds <= 0.3
    assert abs(host_b.database_now() - time.time()) < 5  # epoch seconds
