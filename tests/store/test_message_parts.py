"""Parts of long messages in the store: reports in any order, before or after the send
registers the parts, repeated or late."""

from __future__ import annotations

from datetime import UTC, datetime

from providers.sms_provider import PartReport
from store.repository import Store

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
KEY = "order-1:shipped:sms:1"


def dlr(part: str, status: str, code: str | None = None) -> PartReport:
    return PartReport("vonage", part, status, error_code=code, reference=KEY)


def test_delivered_when_every_registered_part_is(store: Store) -> None:
    registered = store.parts.expect(KEY, "vonage", ["p1", "p2"], now=NOW)
    assert registered.parts is not None and registered.parts.status == "queued"
    first = store.parts.record(dlr("p2", "delivered"), message_key=KEY, now=NOW)
    assert first is not None and first.parts is not None
    assert first.parts.status == "queued" and not first.changed
    second = store.parts.record(dlr("p1", "delivered"), message_key=None, now=NOW)
    assert second is not None and second.changed and second.parts.status == "delivered"  # type: ignore[union-attr]
    assert second.first_part == "p1"
    repeated = store.parts.record(dlr("p1", "delivered"), message_key=None, now=NOW)
    assert repeated is not None and not repeated.changed


def test_reports_before_the_send_registers_count_once_it_does(store: Store) -> None:
    early = store.parts.record(dlr("p2", "failed", "12"), message_key=KEY, now=NOW)
    assert early is not None and early.parts is None and not early.changed
    registered = store.parts.expect(KEY, "vonage", ["p1", "p2"], now=NOW)
    assert registered.parts is not None and registered.parts.status == "failed"
    assert registered.parts.error_code == "12" and registered.changed


def test_a_late_accepted_receipt_never_undoes_a_final_one(store: Store) -> None:
    store.parts.expect(KEY, "vonage", ["p1"], now=NOW)
    store.parts.record(dlr("p1", "delivered"), message_key=None, now=NOW)
    late = store.parts.record(dlr("p1", "sent"), message_key=None, now=NOW)
    assert late is not None and late.parts.status == "delivered"  # type: ignore[union-attr]


def test_a_report_for_nothing_of_ours_is_unknown(store: Store) -> None:
    assert store.parts.record(dlr("stranger", "delivered"), message_key=None, now=NOW) is None
