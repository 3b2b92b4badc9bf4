"""The rules over a payload of several events (a source that maps more than one), the
operator-facing wording of each refusal, and the helpers the sources share: each event
judged on its own, the others still judged after one is ignored or refused."""

from __future__ import annotations

from typing import Any

import pytest

from domain.events import MilestoneEvent
from intake.source import IntakeRefused, Mapped
from intake.validation import Rules, apply_rules, checked, read_phone, rules_moved, valid_email
from tests.helpers.events import order_event

DE_LANDLINE = "+4930901820"
DE_MOBILE = "+4915123456789"


def event(milestone: str, reference: str, **customer: Any) -> MilestoneEvent:
    return order_event(milestone, reference, **customer)


def test_each_event_of_a_payload_is_judged_on_its_own() -> None:
    unused = event("confirmed", "A")  # the account does not use it: ignored, not the end
    landline = event("shipped", "B", phone=DE_LANDLINE, email="b@example.com")
    unreachable = event("shipped", "C", phone=DE_LANDLINE, email=None)
    fine = event("delivered", "D", phone=DE_MOBILE)
    rules = Rules(landline="drop", milestones=frozenset({"shipped", "delivered"}))
    validated = apply_rules([unused, landline, unreachable, fine], rules)

    assert [e.reference for e in validated.events] == ["B", "D"]
    assert validated.events[0].customer.phone is None  # the landline dropped, e-mail kept
    assert validated.events[1] is fine  # nothing changed: the event itself, not a copy
    assert validated.ignored == ["confirmed of order A: the account does not use confirmed"]
    assert validated.dropped == [
        "shipped of order B: phone dropped: no SMS reaches a landline",
        "shipped of order C: phone dropped: no SMS reaches a landline",
    ]
    assert [r.reason for r in validated.refusals] == [
        "shipped of order C: no phone, e-mail or push token left to notify"
    ]
    assert validated.note() == "; ".join(
        [*validated.dropped, *validated.ignored, f"refused: {validated.refusals[0].reason}"]
    )


def test_a_payload_with_a_usable_event_goes_through_with_a_note_of_the_refused_one() -> None:
    usable = event("shipped", "E", phone=DE_MOBILE)
    unreachable = event("delivered", "F", phone=DE_LANDLINE, email=None)
    mapped = checked(Mapped([usable, unreachable]), Rules(landline="drop"))
    assert mapped.events == [usable]
    assert mapped.ignored is not None
    assert "refused: delivered of order F: no phone, e-mail or push token left" in mapped.ignored


def test_a_payload_whose_every_event_is_refused_is_one_dead_letter_naming_each() -> None:
    first = event("shipped", "G", phone=None, email="g@example.com")
    second = event("delivered", "H", phone=None, email="h@example.com")
    with pytest.raises(IntakeRefused) as refused:
        checked(Mapped([first, second]), Rules(contact="phone"))
    sms_only = "no phone that can be texted, and the account notifies by SMS only"
    assert refused.value.reason == (
        f"shipped of order G: {sms_only}; delivered of order H: {sms_only}"
    )


def test_an_email_only_account_refuses_an_event_without_one() -> None:
    validated = apply_rules([event("shipped", "I", email=None)], Rules(contact="email"))
    assert [r.reason for r in validated.refusals] == [
        "shipped of order I: no e-mail, and the account notifies by e-mail only"
    ]
    assert validated.note() is None  # nothing kept: no note, the refusal is the answer


def test_a_phone_from_a_country_the_account_does_not_text_is_dropped_and_named() -> None:
    validated = apply_rules(
        [event("shipped", "J", phone=DE_MOBILE)], Rules(phone_countries=frozenset({"US", "CA"}))
    )
    assert validated.dropped == ["shipped of order J: phone dropped: DE is not among CA, US"]


def test_a_local_number_is_read_in_the_first_region_where_it_is_valid() -> None:
    # "ZZ" is no region: its parse fails, and the next region is still tried.
    assert read_phone("030 901820", ["ZZ", "DE"]) == DE_LANDLINE
    assert read_phone("030 901820", [None, "de"]) == DE_LANDLINE
    assert read_phone("030 901820", []) is None  # no region: only a number with + reads
    assert read_phone("   ", ["DE"]) is None


def test_an_email_is_valid_as_the_customer_model_takes_it() -> None:
    assert valid_email("jo.park@example.com")
    assert not valid_email("bad@")


def test_a_tracker_account_still_holding_a_moved_rule_fails_at_start_up_saying_where() -> None:
    table = {"name": "warehouse", "milestones": ["delivered"], "default_region": "US"}
    with pytest.raises(ValueError) as moved:
        rules_moved(table, "easypost")
    assert str(moved.value) == (
        "milestones, default_region moved to the account's [[validation]] table "
        '(source = "easypost", account = "warehouse"): see config/intake.toml'
    )
    with pytest.raises(ValueError, match='account = "<name>"'):
        rules_moved({"milestones": []}, "aftership")
    assert rules_moved({"name": "warehouse"}, "easypost") == {"name": "warehouse"}
    assert rules_moved(None, "easypost") is None
