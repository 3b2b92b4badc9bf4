"""The intake's dead letters: one row per failing payload, counted; closed ones open again
when the payload fails again; the costliest first; payloads sealed and opened on demand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from privacy.sealed import PayloadIntegrityError
from store.dead_letters import DEAD, fingerprint
from store.repository import Store

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
BODY = b'{"id": 1, "phone": "+14155550123"}'


def test_a_repeated_failure_is_one_row_counted_with_its_first_sighting(store: Store) -> None:
    first = store.dead_letters.keep("shopify", "shop-1", "no phone", BODY, 5, NOW)
    later = NOW + timedelta(minutes=3)
    again = store.dead_letters.keep("shopify", "shop-1", "unknown status", BODY, 7, later)
    assert again == first
    [letter] = store.dead_letters.list(10)
    assert (letter.count, letter.first_seen, letter.last_seen) == (2, NOW, later)
    assert (letter.reason, letter.priority) == ("unknown status", 7)
    assert letter.fingerprint == fingerprint("shopify", "shop-1", BODY)
    assert not letter.closed


def test_the_same_payload_from_another_account_is_another_letter(store: Store) -> None:
    one = store.dead_letters.keep("shopify", "shop-1", "bad", BODY, 1, NOW)
    two = store.dead_letters.keep("shopify", "shop-2", "bad", BODY, 1, NOW)
    assert one != two
    assert fingerprint("ab", "c", b"") != fingerprint("a", "bc", b"")


def test_a_discarded_letter_seen_again_is_live_again(store: Store) -> None:
    id = store.dead_letters.keep("easypost", "acct", "bad", BODY, 1, NOW)
    assert store.dead_letters.discard(id, NOW)
    assert not store.dead_letters.discard(id, NOW)  # closed already
    assert store.dead_letters.list(10) == []
    [closed] = store.dead_letters.list(10, include_closed=True)
    assert closed.discarded_at == NOW and closed.closed
    store.dead_letters.keep("easypost", "acct", "bad", BODY, 1, NOW + timedelta(hours=1))
    [live] = store.dead_letters.list(10)
    assert live.id == id and live.count == 2 and live.discarded_at is None


def test_a_replayed_letter_seen_again_is_live_again(store: Store) -> None:
    id = store.dead_letters.keep("generic", "oms", "bad", BODY, 1, NOW)
    assert store.dead_letters.replayed(id, NOW)
    assert not store.dead_letters.replayed(id, NOW) and not store.dead_letters.discard(id, NOW)
    assert store.dead_letters.get(id).replayed_at == NOW  # type: ignore[union-attr]
    store.dead_letters.keep("generic", "oms", "bad", BODY, 1, NOW)
    assert store.dead_letters.get(id).replayed_at is None  # type: ignore[union-attr]
    assert not store.dead_letters.discard(id + 1000, NOW)


def test_the_list_puts_higher_priority_first_then_the_latest_seen(store: Store) -> None:
    keep = store.dead_letters.keep
    low = keep("s", "a", "r", b"low", 1, NOW + timedelta(minutes=9))
    high_old = keep("s", "a", "r", b"high-old", 9, NOW)
    high_new = keep("s", "a", "r", b"high-new", 9, NOW + timedelta(minutes=1))
    assert [d.id for d in store.dead_letters.list(10)] == [high_new, high_old, low]
    assert [d.id for d in store.dead_letters.list(2)] == [high_new, high_old]


def test_the_payload_rests_sealed_and_opens_on_get(store: Store) -> None:
    id = store.dead_letters.keep("shopify", "shop-1", "bad", BODY, 1, NOW)
    with store.engine.connect() as connection:
        stored = connection.execute(select(DEAD.c.payload)).scalar_one()
    assert b"+14155550123" not in stored
    letter = store.dead_letters.get(id)
    assert letter is not None and letter.payload == BODY and letter.count == 1
    assert store.dead_letters.get(id + 1) is None


def test_a_tampered_payload_is_refused(store: Store) -> None:
    id = store.dead_letters.keep("shopify", "shop-1", "bad", BODY, 1, NOW)
    with store.engine.connect() as connection:
        stored = bytearray(connection.execute(select(DEAD.c.payload)).scalar_one())
    stored[-1] ^= 1
    with store.engine.begin() as connection:
        connection.execute(update(DEAD).values(payload=bytes(stored)))
    with pytest.raises(PayloadIntegrityError):
        store.dead_letters.get(id)
