"""Preferences per customer, type and channel; recent sends for the frequency cap."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.timeline import Channel
from policy.notification_types import CriticalNotificationError
from store.database import make_session_factory
from store.outbox import NewMessage, recipient_hash
from store.preferences import NotificationPreferences, RecentSends
from store.repository import Store

PHONE = "+14155550167"
EMAIL = "ana@example.com"
NOW = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
CRITICAL = frozenset({"delivery_exception", "refund"})


@pytest.fixture
def preferences(store: Store) -> NotificationPreferences:
    return NotificationPreferences(make_session_factory(store.engine))


@pytest.fixture
def recent(store: Store) -> RecentSends:
    return RecentSends(make_session_factory(store.engine))


def turn(
    preferences: NotificationPreferences,
    contact: str,
    notification_type: str,
    channel: Channel,
    enabled: bool,
    at: datetime = NOW,
) -> None:
    preferences.set(
        contact,
        notification_type,
        channel,
        enabled,
        critical_types=CRITICAL,
        at=at,
        source="api",
    )


def test_no_choice_means_everything_is_on(preferences: NotificationPreferences) -> None:
    assert preferences.for_customer(PHONE, EMAIL) == []
    assert preferences.muted_channels("order_progress", PHONE, EMAIL) == []


def test_a_type_can_be_turned_off_per_channel(preferences: NotificationPreferences) -> None:
    turn(preferences, PHONE, "order_progress", Channel.SMS, False)

    assert preferences.muted_channels("order_progress", PHONE) == [Channel.SMS]
    assert preferences.muted_channels("delivery_delay", PHONE) == []


def test_turning_back_on_replaces_the_choice(preferences: NotificationPreferences) -> None:
    turn(preferences, PHONE, "order_progress", Channel.SMS, False)
    turn(preferences, PHONE, "order_progress", Channel.SMS, True, NOW + timedelta(hours=1))

    [choice] = preferences.for_customer(PHONE)
    assert choice.enabled
    assert choice.updated_at == NOW + timedelta(hours=1)
    assert preferences.muted_channels("order_progress", PHONE) == []


def test_critical_types_cannot_be_turned_off(preferences: NotificationPreferences) -> None:
    with pytest.raises(CriticalNotificationError, match="refund"):
        turn(preferences, PHONE, "refund", Channel.SMS, False)

    turn(preferences, PHONE, "refund", Channel.SMS, True)  # turning on is always fine
    assert preferences.muted_channels("refund", PHONE) == []


def test_choices_under_phone_and_email_combine_latest_first(
    preferences: NotificationPreferences,
) -> None:
    turn(preferences, EMAIL, "order_progress", Channel.EMAIL, False, NOW)
    turn(preferences, PHONE, "order_progress", Channel.SMS, False, NOW)
    turn(preferences, PHONE, "order_progress", Channel.EMAIL, True, NOW + timedelta(minutes=1))

    assert preferences.muted_channels("order_progress", PHONE, EMAIL) == [Channel.SMS]
    assert preferences.muted_channels("order_progress", EMAIL) == [Channel.EMAIL]
    assert preferences.muted_channels("order_progress", None, EMAIL) == [Channel.EMAIL]


def message(key: str, recipient: str = PHONE, channel: str = "sms") -> NewMessage:
    return NewMessage(
        message_key=key,
        workflow_id=key.split(":")[0],
        kind="order",
        reference=key.split(":")[0].removeprefix("order-"),
        milestone=key.split(":")[1],
        channel=channel,
        attempt=1,
        recipient=recipient,
        recipient_masked="+1********67",
        body="text",
    )


def test_recent_sends_cover_every_order_of_the_number(store: Store, recent: RecentSends) -> None:
    store.outbox.claim(message("order-1:shipped:1:sms"), NOW - timedelta(hours=30))
    store.outbox.claim(message("order-1:out_for_delivery:1:sms"), NOW - timedelta(hours=3))
    store.outbox.complete("order-1:out_for_delivery:1:sms", "SM1", NOW - timedelta(hours=2))
    store.outbox.claim(message("order-2:confirmed:1:sms"), NOW - timedelta(hours=1))  # in flight
    store.outbox.claim(message("order-3:shipped:1:sms"), NOW - timedelta(minutes=30))
    store.outbox.fail("order-3:shipped:1:sms", "21211", "invalid number", NOW)  # never arrived
    store.outbox.claim(message("order-4:shipped:1:sms", "+14155550168"), NOW)  # someone else
    store.outbox.claim(message("order-5:shipped:1:email", EMAIL, "email"), NOW)  # not an SMS

    sends = recent.recent_sends(recipient_hash(PHONE), since=NOW - timedelta(hours=24))

    assert [(s.workflow_id, s.milestone, s.at) for s in sends] == [
        ("order-1", "out_for_delivery", NOW - timedelta(hours=2)),  # counted when sent
        ("order-2", "confirmed", NOW - timedelta(hours=1)),
    ]
    assert all(s.channel is Channel.SMS for s in sends)
