"""Duplicates: one message per event and per milestone of an order."""

from datetime import timedelta

from domain.milestones import Milestone
from policy.duplicates import content_fingerprint, duplicate_reason, notified_milestone
from policy.rules import PolicyRules
from tests.helpers.events import BASE_TIME, order_event

RULES = PolicyRules()  # duplicate window: 12 hours


def test_a_progress_milestone_is_notified_once_whatever_its_event_id() -> None:
    first = notified_milestone(order_event("shipped", "A1", step=0))
    again = notified_milestone(order_event("shipped", "A1", step=5))

    assert duplicate_reason(again, [first], RULES) == (
        "duplicate: shipped was already notified for this order"
    )


def test_a_recurring_milestone_at_the_same_moment_is_a_duplicate() -> None:
    first = notified_milestone(order_event("delayed", "A1", step=1))
    again = notified_milestone(order_event("delayed", "A1", step=1))

    assert duplicate_reason(again, [first], RULES) is not None


def test_the_same_news_soon_after_is_a_duplicate_but_new_news_is_not() -> None:
    event = order_event("delayed", "A1", step=1)
    first = notified_milestone(event)
    resent = notified_milestone(
        event.model_copy(update={"occurred_at": event.occurred_at + timedelta(minutes=30)})
    )
    new_eta = notified_milestone(
        event.model_copy(
            update={
                "occurred_at": event.occurred_at + timedelta(minutes=30),
                "detail": "weather delay",
            }
        )
    )

    assert duplicate_reason(resent, [first], RULES) == (
        "duplicate: the same delayed news was notified 30 min before"
    )
    assert duplicate_reason(new_eta, [first], RULES) is None


def test_the_same_news_a_day_later_is_news_again() -> None:
    first = notified_milestone(order_event("delivery_attempted", "A1", step=0))
    next_day = notified_milestone(order_event("delivery_attempted", "A1", step=24))

    assert first.fingerprint == next_day.fingerprint
    assert duplicate_reason(next_day, [first], RULES) is None


def test_other_milestones_do_not_count() -> None:
    shipped = notified_milestone(order_event("shipped", "A1"))
    delivered = notified_milestone(order_event("delivered", "A1"))

    assert duplicate_reason(delivered, [shipped], RULES) is None


def test_the_fingerprint_ignores_the_envelope_and_sees_the_content() -> None:
    event = order_event("delayed", "A1")
    other_id = event.model_copy(update={"event_id": "another", "occurred_at": BASE_TIME})

    assert content_fingerprint(event) == content_fingerprint(other_id)
    assert content_fingerprint(event) != content_fingerprint(
        event.model_copy(update={"detail": "held at customs"})
    )
    assert notified_milestone(event).milestone is Milestone.DELAYED
