"""Which workflows texted a number lately: the inbound webhook's routing input."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from store.repository import Store
from tests.store.test_outbox import new_message

NOW = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
PHONE = "+14155550167"


def sent(store: Store, key: str, workflow_id: str, at: datetime, **changes: object) -> None:
    message = replace(
        new_message(key, PHONE), workflow_id=workflow_id, reference=workflow_id[6:], **changes
    )
    store.outbox.claim(message, at)
    store.outbox.complete(key, f"SM{key}", at)


def test_latest_message_per_workflow_newest_first_with_its_locale(store: Store) -> None:
    sent(store, "order-1:shipped:1:sms", "order-1", NOW - timedelta(hours=5), locale="en")
    sent(store, "order-2:shipped:1:sms", "order-2", NOW - timedelta(hours=3), locale="es")
    sent(store, "order-1:delayed:1:sms", "order-1", NOW - timedelta(hours=1), locale="fr")

    found = store.conversations.texted_since(PHONE, NOW - timedelta(days=1))

    assert [(c.workflow_id, c.locale) for c in found] == [("order-1", "fr"), ("order-2", "es")]
    assert found[0].last_sent_at == NOW - timedelta(hours=1)
    assert found[1].reference == "2" and found[1].kind == "order"


def test_only_accepted_sms_to_that_number_inside_the_window_count(store: Store) -> None:
    sent(store, "order-1:shipped:1:sms", "order-1", NOW - timedelta(days=9))  # too old
    store.outbox.claim(
        replace(new_message("order-2:shipped:1:sms", PHONE), workflow_id="order-2"), NOW
    )  # never accepted by the provider
    sent(store, "order-3:shipped:1:email", "order-3", NOW, channel="email")
    store.outbox.claim(new_message("order-4:shipped:1:sms", "+14155550999"), NOW)
    store.outbox.complete("order-4:shipped:1:sms", "SM4", NOW)  # another number

    assert store.conversations.texted_since(PHONE, NOW - timedelta(days=7)) == []
