"""Who gets a final delivery report: the send activity waiting for it, or a signal.

Against SQLite and PostgreSQL: each side's one-transaction change decides, so a report
is never handed to both, nor to neither, whatever the order in which they arrive.
"""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

from store.repository import Store
from tests.store.test_outbox import NOW, new_message

KEY = "order-1:shipped:sms:1"
TOKEN = b"task-token-1"


def sent(store: Store, key: str = KEY, sid: str = "SM1") -> None:
    store.outbox.claim(new_message(key), NOW, calling=True)
    store.outbox.complete(key, sid, NOW)


def test_a_waiting_send_gets_the_first_final_report_once(store: Store) -> None:
    sent(store)
    awaited = store.statuses.await_final(KEY, TOKEN)

    interim = store.statuses.record("SM1", "sent", None, NOW, final=False)
    final = store.statuses.record("SM1", "delivered", None, NOW, final=True)
    repeated = store.statuses.record("SM1", "delivered", None, NOW, final=True)

    assert (awaited.registered, awaited.final) == (True, None)
    assert interim is not None and interim.waiter is None  # only a final report takes it
    assert final is not None and final.waiter == TOKEN
    assert (final.provider_calls, final.sent_at) == (1, NOW)
    assert repeated is not None and repeated.waiter is None  # a retried callback signals


def test_a_report_that_comes_first_is_handed_back_to_the_send(store: Store) -> None:
    sent(store)
    later = NOW + timedelta(seconds=3)
    store.statuses.record("SM1", "undelivered", "30003", later, final=True)

    awaited = store.statuses.await_final(KEY, TOKEN)

    assert not awaited.registered
    assert awaited.final is not None
    assert (awaited.final.status, awaited.final.error_code, awaited.final.at) == (
        "undelivered",
        "30003",
        later,
    )


def test_a_report_that_beats_the_registration_is_left_for_the_send(store: Store) -> None:
    # The send claimed its row saying it would wait, then the report came first.
    store.outbox.claim(replace(new_message(), awaits_report=True), NOW, calling=True)
    store.outbox.complete(KEY, "SM1", NOW)

    reported = store.statuses.record("SM1", "delivered", None, NOW, final=True)
    awaited = store.statuses.await_final(KEY, TOKEN)

    assert reported is not None and reported.collected_by_send and reported.waiter is None
    assert not awaited.registered and awaited.final is not None
    assert awaited.final.status == "delivered"


def test_a_send_that_does_not_wait_has_its_reports_signalled(store: Store) -> None:
    sent(store)  # claimed without awaits_report: an older workflow's send

    reported = store.statuses.record("SM1", "delivered", None, NOW, final=True)

    assert reported is not None
    assert not reported.collected_by_send and reported.waiter is None


def test_a_report_before_the_provider_id_is_found_by_its_message_key(store: Store) -> None:
    store.outbox.claim(new_message(), NOW, calling=True)  # the provider answered, not written

    reported = store.statuses.record("SM1", "delivered", None, NOW, message_key=KEY, final=True)
    store.outbox.complete(KEY, "SM1", NOW)

    assert reported is not None and reported.workflow_id == "order-1"
    awaited = store.statuses.await_final(KEY, TOKEN)
    assert not awaited.registered and awaited.final is not None
    assert awaited.final.status == "delivered"


def test_a_send_that_stops_waiting_leaves_later_reports_to_the_signal(store: Store) -> None:
    sent(store)
    store.statuses.await_final(KEY, TOKEN)

    assert store.statuses.stop_awaiting(KEY) is None
    final = store.statuses.record("SM1", "delivered", None, NOW, final=True)

    assert final is not None and final.waiter is None
    assert store.statuses.stop_awaiting(KEY) is not None  # a later retry still learns it


RACES = 30


def sent_messages(store: Store) -> list[str]:
    """RACES sent messages (provider ids SM0, SM1...); their keys."""
    keys = [f"order-{i}:shipped:sms:1" for i in range(RACES)]
    for i, key in enumerate(keys):
        sent(store, key, f"SM{i}")
    return keys


def race(store: Store, side: Callable[[int], bool]) -> list[tuple[bool, bool]]:
    """``side`` against a final report for each message, on 8 threads: (side's result,
    whether the report took the waiting send's token)."""

    def report(i: int) -> bool:
        reported = store.statuses.record(f"SM{i}", "delivered", None, NOW, final=True)
        return reported is not None and reported.waiter is not None

    with ThreadPoolExecutor(max_workers=8) as pool:
        sides = pool.map(side, range(RACES))
        reports = pool.map(report, range(RACES))
        return list(zip(sides, reports, strict=True))


def test_a_report_racing_the_registration_goes_to_exactly_one_side(store: Store) -> None:
    keys = sent_messages(store)

    def register(i: int) -> bool:
        return store.statuses.await_final(keys[i], f"token-{i}".encode()).registered

    outcomes = race(store, register)

    # Registered before the report: the report takes the token. Registered after: the
    # report was there already and the send returns it. Never both, never neither.
    assert all(took == was_registered for was_registered, took in outcomes)


def test_a_wait_given_up_hands_later_reports_to_the_signal(store: Store) -> None:
    sent(store)
    store.statuses.await_final(KEY, TOKEN)

    given_up = store.statuses.give_up_waiting(KEY, TOKEN)
    again = store.statuses.give_up_waiting(KEY, TOKEN)
    final = store.statuses.record("SM1", "delivered", None, NOW, final=True)

    assert given_up and not again  # the worker completes the activity once
    assert final is not None and final.waiter is None and not final.collected_by_send


def test_a_report_that_took_the_token_leaves_nothing_to_give_up(store: Store) -> None:
    sent(store)
    store.statuses.await_final(KEY, TOKEN)
    store.statuses.record("SM1", "delivered", None, NOW, final=True)

    assert not store.statuses.give_up_waiting(KEY, TOKEN)  # the callback completes it


def test_an_older_attempts_token_cannot_give_up_a_newer_wait(store: Store) -> None:
    sent(store)
    store.statuses.await_final(KEY, b"attempt-2")

    assert not store.statuses.give_up_waiting(KEY, TOKEN)
    final = store.statuses.record("SM1", "delivered", None, NOW, final=True)
    assert final is not None and final.waiter == b"attempt-2"


def test_a_report_racing_the_end_of_the_wait_goes_to_exactly_one_side(store: Store) -> None:
    keys = sent_messages(store)
    for i, key in enumerate(keys):
        store.statuses.await_final(key, f"token-{i}".encode())

    def give_up(i: int) -> bool:
        return store.statuses.give_up_waiting(keys[i], f"token-{i}".encode())

    outcomes = race(store, give_up)

    # Exactly one of the worker and the status callback completes each activity.
    assert all(by_worker != by_callback for by_worker, by_callback in outcomes)
