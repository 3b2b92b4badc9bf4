"""Duplicates at their edges: the window's last second, the reasons' wording, the digest."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from policy.duplicates import content_fingerprint, duplicate_reason, notified_milestone
from policy.rules import PolicyRules
from tests.helpers.events import order_event, return_event

RULES = PolicyRules()  # 12 hours


def _later(milestone: str, seconds: float, **update: object):  # type: ignore[no-untyped-def]
    event = order_event(milestone, "A1", step=1)
    moved = event.model_copy(
        update={"occurred_at": event.occurred_at + timedelta(seconds=seconds), **update}
    )
    return notified_milestone(event), notified_milestone(moved)


def test_the_same_news_exactly_twelve_hours_later_is_still_a_duplicate() -> None:
    first, again = _later("delayed", 12 * 3600)
    assert duplicate_reason(again, [first], RULES) == (
        "duplicate: the same delayed news was notified 12.0 h before"
    )


def test_one_second_past_twelve_hours_it_is_news() -> None:
    first, again = _later("delayed", 12 * 3600 + 1)
    assert duplicate_reason(again, [first], RULES) is None


def test_the_window_counts_both_ways() -> None:
    first, earlier = _later("delayed", -30 * 60)
    assert duplicate_reason(earlier, [first], RULES) == (
        "duplicate: the same delayed news was notified 30 min before"
    )


def test_the_window_comes_from_the_rules() -> None:
    one_minute = PolicyRules(duplicate_window_seconds=60)
    first, at_sixty = _later("delivery_attempted", 60)
    _, at_sixty_one = _later("delivery_attempted", 61)
    assert duplicate_reason(at_sixty, [first], one_minute) is not None
    assert duplicate_reason(at_sixty_one, [first], one_minute) is None


def test_minutes_below_two_hours_and_hours_from_two_on() -> None:
    first, at_119 = _later("delayed", 119 * 60)
    _, at_120 = _later("delayed", 120 * 60)
    _, at_150 = _later("delayed", 150 * 60)
    assert duplicate_reason(at_119, [first], RULES) == (
        "duplicate: the same delayed news was notified 119 min before"
    )
    assert duplicate_reason(at_120, [first], RULES) == (
        "duplicate: the same delayed news was notified 2.0 h before"
    )
    assert duplicate_reason(at_150, [first], RULES) == (
        "duplicate: the same delayed news was notified 2.5 h before"
    )


def test_the_same_moment_is_a_duplicate_whatever_the_content() -> None:
    first, same_time = _later("delayed", 0, detail="new reason")
    assert first.fingerprint != same_time.fingerprint
    assert duplicate_reason(same_time, [first], RULES) == (
        "duplicate: delayed at 2026-03-14T10:00:00+00:00 was already notified"
    )


def test_a_different_milestone_earlier_in_the_list_does_not_stop_the_search() -> None:
    first, again = _later("delayed", 60)
    other = notified_milestone(order_event("delivery_attempted", "A1", step=1))
    assert duplicate_reason(again, [other, first], RULES) is not None
    assert duplicate_reason(again, [other], RULES) is None
    assert duplicate_reason(again, [], RULES) is None


def test_new_content_soon_after_is_news() -> None:
    first, changed = _later("delayed", 60, detail="storm")
    assert duplicate_reason(changed, [first], RULES) is None


def test_the_fingerprint_is_the_digest_of_the_news() -> None:
    event = order_event("delayed", "A1", step=1).model_copy(update={"detail": "  Held AT Customs "})
    news = {
        "detail": "held at customs",
        "eta": "2026-03-16T09:00:00+00:00",
        "eta_end": None,
        "milestone": "delayed",
        "refund": None,
        "tracking": "1Z999AA10123456784",
    }
    expected = hashlib.sha256(json.dumps(news, sort_keys=True).encode()).hexdigest()[:16]
    assert content_fingerprint(event) == expected


def test_a_returns_fingerprint_holds_its_refund() -> None:
    event = return_event("refund_processed", "R1")
    news = {
        "detail": "",
        "eta": None,
        "eta_end": None,
        "milestone": "refund_processed",
        "refund": "59.90 USD",
        "tracking": None,
    }
    expected = hashlib.sha256(json.dumps(news, sort_keys=True).encode()).hexdigest()[:16]
    assert content_fingerprint(event) == expected


def test_an_arrival_window_end_changes_the_news() -> None:
    event = order_event("delayed", "A1", step=1)
    assert event.shipment is not None
    end = event.shipment.estimated_arrival + timedelta(hours=4)  # type: ignore[operator]
    windowed = event.model_copy(
        update={"shipment": event.shipment.model_copy(update={"estimated_arrival_end": end})}
    )
    assert content_fingerprint(windowed) != content_fingerprint(event)
    assert notified_milestone(windowed).event_id == windowed.event_id
