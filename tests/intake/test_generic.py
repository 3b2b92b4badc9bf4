"""Any OMS's milestone JSON: what goes through, what goes through with less, what is
refused (and how a refusal is ranked among the dead letters)."""

from __future__ import annotations

from typing import Any

import pytest

from intake.source import PRIORITY_CRITICAL, PRIORITY_LOW, PRIORITY_NORMAL, IntakeRefused
from intake.sources.generic import map_generic
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
