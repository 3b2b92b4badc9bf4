"""Any OMS's milestone JSON: what goes through, what goes through with less, what is
refused (and how a refusal is ranked among the dead letters)."""

from __future__ import annotations

from typing import Any

import pytest

from domain.milestones import Milestone
from intake.source import (
    NAMELESS_CUSTOMER,
    PRIORITY_CRITICAL,
    PRIORITY_LOW,
    PRIORITY_NORMAL,
    IntakeRefused,
)
from intake.sources.generic import map_generic
from intake.validation import DETAIL_LIMIT, Rules
from tests.helpers.events import order_event


def payload(**customer: Any) -> dict[str, Any]:
    event = order_event("shipped", "G1").model_dump(mode="json")
    event["customer"] = {**event["customer"], **customer}
    return event


def test_a_valid_event_goes_through_as_it_is() -> None:
    mapped = map_generic(payload())
    [event] = mapped.events
    assert event.reference == "G1" and mapped.ignored is None


def test_a_bad_email_beside_a_good_phone_goes_by_sms_and_says_so() -> None:
    [event] = (mapped := map_generic(payload(email="not-an-address"))).events
    assert event.customer.email is None and event.customer.phone
    assert mapped.ignored == "unusable email dropped"


def test_a_bad_phone_beside_a_good_email_goes_by_email() -> None:
    [event] = map_generic(payload(phone="12", email="ana@example.com")).events
    assert event.customer.phone is None and event.customer.email == "ana@example.com"


def test_no_usable_contact_is_refused_with_the_reason() -> None:
    with pytest.raises(IntakeRefused) as refused:
        map_generic(payload(phone="12", email=None))
    assert "customer.phone" in refused.value.reason
    assert refused.value.priority == PRIORITY_NORMAL  # a shipped notice


@pytest.mark.parametrize(
    ("milestone", "priority"),
    [("delayed", PRIORITY_CRITICAL), ("delivered", PRIORITY_NORMAL), ("teleported", PRIORITY_LOW)],
)
def test_refusals_are_ranked_by_what_the_customer_would_miss(milestone: str, priority: int) -> None:
    broken = {**payload(phone=None, email=None), "milestone": milestone}
    with pytest.raises(IntakeRefused) as refused:
        map_generic(broken)
    assert refused.value.priority == priority


@pytest.mark.parametrize("body", [[], "text", 3, None])
def test_a_body_that_is_not_an_object_is_refused(body: object) -> None:
    with pytest.raises(IntakeRefused, match="not a JSON object"):
        map_generic(body)


# --- what OMSs write differently but means the same ------------------------------------------


@pytest.mark.parametrize("written", ["Shipped", "SHIPPED", " shipped ", "shipped"])
def test_a_milestone_in_capitals_or_spaced_is_the_milestone(written: str) -> None:
    [event] = map_generic({**payload(), "milestone": written}).events
    assert event.milestone is Milestone.SHIPPED


@pytest.mark.parametrize("written", ["out-for-delivery", "Out for delivery", "OUT_FOR_DELIVERY"])
def test_dashes_and_spaces_in_a_milestone_are_underscores(written: str) -> None:
    [event] = map_generic({**payload(), "milestone": written}).events
    assert event.milestone is Milestone.OUT_FOR_DELIVERY


def test_a_milestone_that_is_none_after_reading_is_still_refused() -> None:
    with pytest.raises(IntakeRefused, match="milestone"):
        map_generic({**payload(), "milestone": "Picked up"})


@pytest.mark.parametrize("name", [None, "", "   "])
def test_no_name_is_greeted_without_one(name: str | None) -> None:
    [event] = map_generic(payload(name=name)).events
    assert event.customer.name == NAMELESS_CUSTOMER


def test_detail_at_the_events_limit_is_kept_and_one_more_is_cut() -> None:
    [at] = map_generic({**payload(), "detail": "x" * DETAIL_LIMIT}).events
    [over] = map_generic({**payload(), "detail": "y" * (DETAIL_LIMIT + 1)}).events
    assert at.detail == "x" * DETAIL_LIMIT and over.detail == "y" * DETAIL_LIMIT


@pytest.mark.parametrize("missing", [None, ""])
def test_no_event_id_is_made_from_the_order_and_milestone(missing: str | None) -> None:
    first = map_generic({**payload(), "event_id": missing}).events[0]
    again = map_generic({**payload(), "event_id": missing}).events[0]
    assert first.event_id == again.event_id == "G1:shipped"  # a redelivery: the same event


def test_a_local_phone_is_read_in_the_accounts_default_region_only() -> None:
    local = payload(phone="07400 123456", email=None)
    [event] = map_generic(local, Rules(default_region="GB")).events
    assert event.customer.phone == "+447400123456"
    with pytest.raises(IntakeRefused, match=r"customer\.phone"):  # no region: unreadable
        map_generic(local)


def test_a_milestone_the_account_does_not_use_is_ignored_even_without_a_contact() -> None:
    mapped = map_generic(payload(phone=None, email=None), Rules(milestones={Milestone.DELIVERED}))
    assert mapped.events == [] and mapped.ignored == "the account does not use shipped"
