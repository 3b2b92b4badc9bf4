"""A customer's long text, one webhook per part: kept until whole, taken once, in order,
whatever the order and repetition of the webhooks; a text that never comes whole is read
as it stands once its wait is over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from store.inbound_parts import InboundPart
from store.repository import Store

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
WAIT = timedelta(seconds=60)
SENDER = "+14155550123"


def part(n: int, total: int = 3, *, ref: str = "17", body: str | None = None) -> InboundPart:
    text = body if body is not None else f"<{n}>"
    return InboundPart("vonage", SENDER, ref, n, total, f"m{ref}-{n}", text)


def test_the_text_is_whole_once_its_last_part_comes_in_any_order(store: Store) -> None:
    assert store.inbound_parts.add(part(3), now=NOW, wait=WAIT) == []
    assert store.inbound_parts.add(part(1), now=NOW, wait=WAIT) == []
    [text] = store.inbound_parts.add(part(2), now=NOW, wait=WAIT)
    assert text.body == "<1><2><3>" and text.complete
    assert text.sender == SENDER and text.provider_message_id == "m17-1"
    assert store.inbound_parts.take_stale(now=NOW + 2 * WAIT, wait=WAIT) == []  # taken


def test_a_retried_webhook_is_kept_once_and_never_reads_the_text_twice(store: Store) -> None:
    store.inbound_parts.add(part(1, 2), now=NOW, wait=WAIT)
    assert store.inbound_parts.add(part(1, 2), now=NOW, wait=WAIT) == []
    [text] = store.inbound_parts.add(part(2, 2), now=NOW, wait=WAIT)
    assert text.body == "<1><2>"
    assert store.inbound_parts.add(part(2, 2), now=NOW, wait=WAIT) == []  # the retry, late


def test_other_senders_and_references_are_other_texts(store: Store) -> None:
    store.inbound_parts.add(part(1, 2), now=NOW, wait=WAIT)
    store.inbound_parts.add(part(1, 2, ref="18"), now=NOW, wait=WAIT)
    other = InboundPart("vonage", "+14155550999", "17", 2, 2, "x", "<them>")
    assert store.inbound_parts.add(other, now=NOW, wait=WAIT) == []
    [text] = store.inbound_parts.add(part(2, 2, ref="18"), now=NOW, wait=WAIT)
    assert text.provider_message_id == "m18-1"


def test_a_text_missing_parts_is_read_as_it_stands_after_exactly_its_wait(store: Store) -> None:
    store.inbound_parts.add(part(1, body="STOP texting me, "), now=NOW, wait=WAIT)
    store.inbound_parts.add(part(3, body="thanks"), now=NOW + timedelta(seconds=5), wait=WAIT)
    assert store.inbound_parts.take_stale(now=NOW + WAIT, wait=WAIT) == []  # not yet: exactly
    [text] = store.inbound_parts.take_stale(now=NOW + WAIT + timedelta(seconds=1), wait=WAIT)
    assert text.body == "STOP texting me, thanks" and not text.complete
    assert store.inbound_parts.take_stale(now=NOW + 3 * WAIT, wait=WAIT) == []


def test_a_reference_used_again_later_starts_a_new_text(store: Store) -> None:
    """Vonage's reference is 0-255: the same phone's later text may reuse it. The earlier
    one's leftovers are read as they stand, not mixed into the new text."""
    store.inbound_parts.add(part(1, 2, body="old "), now=NOW, wait=WAIT)
    later = NOW + WAIT + timedelta(seconds=1)
    [old] = store.inbound_parts.add(part(2, 2, body="new-2"), now=later, wait=WAIT)
    assert old.body == "old " and not old.complete
    [new] = store.inbound_parts.add(part(1, 2, body="new-1 "), now=later, wait=WAIT)
    assert new.body == "new-1 new-2" and new.complete


def test_a_text_put_back_is_taken_again_by_the_retried_webhook(store: Store) -> None:
    store.inbound_parts.add(part(1, 2), now=NOW, wait=WAIT)
    [text] = store.inbound_parts.add(part(2, 2), now=NOW, wait=WAIT)
    store.inbound_parts.put_back(text, now=NOW)  # Temporal was away: answered 5xx
    [again] = store.inbound_parts.add(part(2, 2), now=NOW, wait=WAIT)  # Vonage's retry
    assert again == text
