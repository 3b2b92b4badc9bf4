"""store.recipient_locks: one decision at a time per phone, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time

from store.outbox import recipient_hash
from store.repository import Store


def test_a_second_holder_of_one_recipient_waits_and_others_do_not(store: Store) -> None:
    locks, phone = store.recipient_locks, recipient_hash("+14155550100")
    inside = threading.Event()
    waited: dict[str, float] = {}

    def first() -> None:
        with locks.hold(phone):
            inside.set()
            time.sleep(0.4)

    def second(name: str, contact: str) -> None:
        inside.wait()
        started = time.monotonic()
        with locks.hold(contact):
            waited[name] = time.monotonic() - started

    threads = [
        threading.Thread(target=first),
        threading.Thread(target=second, args=("same", phone)),
        threading.Thread(target=second, args=("other", recipient_hash("+14155550199"))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert waited["same"] >= 0.3
    assert waited["other"] < 0.2
