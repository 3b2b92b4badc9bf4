from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from store.outbox import NewMessage
from store.repository import Store
from store.tables import OutboxState

NOW = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)


def new_message(key: str = "order-1:shipped:sms:1", recipient: str = "+14155550167") -> NewMessage:
    return NewMessage(
        message_key=key,
        workflow_id="order-1",
        kind="order",
        reference="1",
        milestone="shipped",
        channel="sms",
        attempt=1,
        recipient=recipient,
        recipient_masked="+1********67",
        body="Your order has shipped",
        encoding="GSM-7",
        segments=1,
        estimated_cost_usd=Decimal("0.0075"),
    )


def test_claim_is_idempotent_and_returns_where_the_send_stands(store: Store) -> None:
    first = store.outbox.claim(new_message(), NOW)
    again = store.outbox.claim(new_message(), NOW + timedelta(seconds=5))

    assert first.outbox_state == OutboxState.STARTED
    assert again.created_at == NOW  # the original row, not a second one
    assert again.provider_calls == 0


def test_a_recorded_call_tells_a_retry_to_ask_the_provider_first(store: Store) -> None:
    store.outbox.claim(new_message(), NOW)
    store.outbox.mark_calling("order-1:shipped:sms:1", NOW)

    entry = store.outbox.claim(new_message(), NOW)

    assert entry.provider_calls == 1
    assert entry.provider_called_at == NOW
    assert entry.outbox_state == OutboxState.STARTED


def test_completed_rows_keep_the_provider_id_and_count_as_first_contact(store: Store) -> None:
    assert not store.outbox.has_sent_to("+14155550167", "sms")
    store.outbox.claim(new_message(), NOW)
    store.outbox.complete("order-1:shipped:sms:1", "SM123", NOW)

    entry = store.outbox.get("order-1:shipped:sms:1")

    assert entry is not None
    assert (entry.outbox_state, entry.provider_message_id) == (OutboxState.SENT, "SM123")
    assert store.outbox.has_sent_to("+14155550167", "sms")
    assert not store.outbox.has_sent_to("+14155550199", "sms")


def test_permanent_failure_is_recorded_with_its_code(store: Store) -> None:
    store.outbox.claim(new_message(), NOW)
    store.outbox.fail("order-1:shipped:sms:1", "21211", "invalid 'To' number", NOW)

    entry = store.outbox.get("order-1:shipped:sms:1")
    assert entry is not None
    assert (entry.outbox_state, entry.error_code) == (OutboxState.FAILED, "21211")
    assert store.statuses.history("order-1:shipped:sms:1")[-1][:2] == ("failed", "21211")


def test_unknown_keys_are_an_error_not_a_silent_no_op(store: Store) -> None:
    with pytest.raises(LookupError):
        store.outbox.complete("order-9:shipped:sms:1", "SM1", NOW)


def test_delivery_reports_find_their_workflow_and_keep_every_status(store: Store) -> None:
    store.outbox.claim(new_message(), NOW)
    store.outbox.complete("order-1:shipped:sms:1", "SM123", NOW)

    sent = store.statuses.record("SM123", "sent", None, NOW + timedelta(seconds=1))
    failed = store.statuses.record("SM123", "undelivered", "30003", NOW + timedelta(seconds=2))
    stranger = store.statuses.record("SMnotours", "delivered", None, NOW)

    assert sent is not None and sent.workflow_id == "order-1"
    assert failed is not None and failed.message_key == "order-1:shipped:sms:1"
    assert stranger is None
    statuses = store.statuses.history("order-1:shipped:sms:1")
    assert [s for s, _, _ in statuses] == ["accepted", "sent", "undelivered"]
    assert statuses[-1][1] == "30003"
    assert all(t.tzinfo is not None for _, _, t in statuses)


def test_claiming_with_calling_records_the_call_in_the_same_write(store: Store) -> None:
    entry = store.outbox.claim(new_message(), NOW, calling=True)
    again = store.outbox.claim(new_message(), NOW, calling=True)

    assert entry.claimed_now and entry.provider_calls == 1
    assert not again.claimed_now and again.provider_calls == 1  # a retry does not count a call


def test_workflow_decided_statuses_sit_beside_the_providers(store: Store) -> None:
    store.outbox.claim(new_message(), NOW)
    store.outbox.complete("order-1:shipped:sms:1", "SM1", NOW)
    store.outbox.set_status("order-1:shipped:sms:1", "no_report", None, "no report in 600 s", NOW)
    store.outbox.set_status("order-7:shipped:sms:1", "no_report", None, "never claimed", NOW)

    assert [s for s, _, _ in store.statuses.history("order-1:shipped:sms:1")] == [
        "accepted",
        "no_report",
    ]
