"""Validation per source and account: each rule at its edge, what is kept, dropped, ignored
and refused, and how the tables of config/intake.toml combine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from config.settings import Settings
from domain.events import MilestoneEvent
from domain.milestones import Milestone
from intake.accounts import aftership_accounts, easypost_accounts, validation_rules
from intake.source import PRIORITY_CRITICAL, PRIORITY_NORMAL, IntakeRefused, Mapped
from intake.validation import RuleBook, Rules, apply_rules, checked, read_phone
from tests.helpers.events import order_event
from tests.helpers.temporal import settings_for_tests

US_MOBILE_OR_LANDLINE = "+14155550167"  # North America: either, so never a "landline"
DE_LANDLINE = "+4930901820"
DE_MOBILE = "+4915123456789"
US_TOLL_FREE = "+18003569377"


def event(milestone: str = "shipped", **customer: Any) -> MilestoneEvent:
    return order_event(milestone, "R1", **customer)


def one(rules: Rules, **customer: Any) -> MilestoneEvent:
    validated = apply_rules([event(**customer)], rules)
    assert validated.refusals == [] and validated.ignored == []
    [kept] = validated.events
    return kept


def refusal(rules: Rules, milestone: str = "shipped", **customer: Any) -> IntakeRefused:
    validated = apply_rules([event(milestone, **customer)], rules)
    assert validated.events == []
    [refused] = validated.refusals
    return refused


# --- defaults: everything that can be sent goes --------------------------------------------


def test_default_rules_keep_the_event_as_it_is() -> None:
    original = event(phone=DE_LANDLINE)
    assert apply_rules([original], Rules()).events == [original]


# --- required contact --------------------------------------------------------------------


def test_sms_only_account_takes_a_phone_and_refuses_an_email_only_customer() -> None:
    rules = Rules(contact="phone")
    assert one(rules, email=None).customer.phone == US_MOBILE_OR_LANDLINE
    refused = refusal(rules, phone=None)
    assert "SMS only" in refused.reason and "R1" in refused.reason
    assert refused.priority == PRIORITY_NORMAL


def test_email_only_account_refuses_a_phone_only_customer_with_the_milestones_priority() -> None:
    rules = Rules(contact="email")
    assert one(rules, phone=None).customer.email == "ana@example.com"
    refused = refusal(rules, "delayed", email=None)
    assert "e-mail only" in refused.reason
    assert refused.priority == PRIORITY_CRITICAL


def test_any_contact_takes_a_push_token_alone() -> None:
    kept = one(Rules(), phone=None, email=None, push_token="tok-1")
    assert kept.customer.push_token == "tok-1"


# --- phone countries ---------------------------------------------------------------------


def test_phone_of_a_country_not_allowed_is_dropped_and_the_email_kept() -> None:
    validated = apply_rules([event(phone=DE_MOBILE)], Rules(phone_countries={"US", "CA"}))
    [kept] = validated.events
    assert kept.customer.phone is None and kept.customer.email == "ana@example.com"
    assert validated.dropped == ["shipped of order R1: phone dropped: DE is not among CA, US"]


def test_phone_of_an_allowed_country_is_kept() -> None:
    assert one(Rules(phone_countries={"DE"}), phone=DE_MOBILE).customer.phone == DE_MOBILE


def test_phone_not_allowed_and_no_email_is_refused() -> None:
    refused = refusal(Rules(phone_countries={"US"}), phone=DE_MOBILE, email=None)
    assert "no phone, e-mail or push token" in refused.reason


@pytest.mark.parametrize("bad", ["us", "USA", "U1"])
def test_phone_countries_are_iso_codes(bad: str) -> None:
    with pytest.raises(ValidationError, match="ISO country codes"):
        Rules(phone_countries={bad})


# --- landlines ---------------------------------------------------------------------------


@pytest.mark.parametrize("number", [DE_LANDLINE, US_TOLL_FREE])
def test_landline_dropped_keeps_the_email(number: str) -> None:
    validated = apply_rules([event(phone=number)], Rules(landline="drop"))
    [kept] = validated.events
    assert kept.customer.phone is None and kept.customer.email
    assert "no SMS reaches a landline" in validated.dropped[0]


@pytest.mark.parametrize("number", [DE_MOBILE, US_MOBILE_OR_LANDLINE])
def test_mobile_or_maybe_mobile_is_kept_when_landlines_are_dropped(number: str) -> None:
    assert one(Rules(landline="drop"), phone=number).customer.phone == number


def test_landline_kept_by_default() -> None:
    assert one(Rules(), phone=DE_LANDLINE, email=None).customer.phone == DE_LANDLINE


def test_landline_alone_is_refused_when_landlines_are_dropped() -> None:
    refused = refusal(Rules(landline="drop"), phone=DE_LANDLINE, email=None)
    assert "no phone, e-mail or push token" in refused.reason


# --- milestones --------------------------------------------------------------------------


def test_milestone_the_account_does_not_use_is_ignored_not_refused() -> None:
    rules = Rules(milestones={Milestone.SHIPPED}, contact="email")
    validated = apply_rules([event("delivered", email=None)], rules)
    assert validated.events == [] and validated.refusals == []
    assert validated.ignored == ["delivered of order R1: the account does not use delivered"]
    assert rules.uses(Milestone.SHIPPED) and not rules.uses(Milestone.DELIVERED)
    assert Rules().uses(Milestone.DELIVERED)


# --- detail length -----------------------------------------------------------------------


def detailed(length: int) -> MilestoneEvent:
    return event().model_copy(update={"detail": "x" * length})


def test_detail_at_the_limit_is_kept_whole_and_one_more_is_cut() -> None:
    rules = Rules(detail_max=160)
    [at_limit] = (at := apply_rules([detailed(160)], rules)).events
    assert at_limit.detail == "x" * 160 and at.dropped == []
    [over] = (cut := apply_rules([detailed(161)], rules)).events
    assert over.detail == "x" * 160
    assert cut.dropped == ["shipped of order R1: detail cut to 160 characters"]


def test_detail_max_zero_removes_the_detail() -> None:
    [kept] = apply_rules([detailed(1)], Rules(detail_max=0)).events
    assert kept.detail is None


@pytest.mark.parametrize("bad", [-1, 501])
def test_detail_max_is_within_the_events_own_limit(bad: int) -> None:
    with pytest.raises(ValidationError):
        Rules(detail_max=bad)


# --- reading phones ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "regions", "expected"),
    [
        ("(415) 555-0123", ["US"], "+14155550123"),
        ("415.555.0123 ext. 12", ["US"], "+14155550123"),
        ("+49 30 901820", [None], "+4930901820"),
        ("030 901820", [None, "DE"], "+4930901820"),
        ("030 901820", [None], None),  # a local number and no country: unreadable
        ("07400 123456", ["FR", "GB"], "+447400123456"),  # no French number: the next region
        ("07400 123456", ["FR"], None),
        ("+44 7400 123456", ["US"], "+447400123456"),  # its own country code wins
        ("12", ["US"], None),
        ("  ", ["US"], None),
        (None, ["US"], None),
    ],
)
def test_read_phone(raw: str | None, regions: list[str | None], expected: str | None) -> None:
    assert read_phone(raw, regions) == expected


# --- the route's call --------------------------------------------------------------------


def test_checked_raises_when_every_event_is_refused_with_the_highest_priority() -> None:
    events = [event("shipped", email=None), event("delayed", email=None)]
    with pytest.raises(IntakeRefused) as refused:
        checked(Mapped(events), Rules(contact="email"))
    assert refused.value.priority == PRIORITY_CRITICAL
    assert refused.value.reason.count("e-mail only") == 2


def test_checked_keeps_the_mappings_note_beside_its_own() -> None:
    mapped = Mapped([event(phone=DE_LANDLINE)], ignored="unusable email dropped")
    out = checked(mapped, Rules(landline="drop"))
    assert out.ignored == (
        "unusable email dropped; shipped of order R1: phone dropped: no SMS reaches a landline"
    )


def test_checked_with_nothing_to_say_leaves_no_note() -> None:
    assert checked(Mapped([event()]), Rules()).ignored is None


# --- tables ------------------------------------------------------------------------------


def test_more_specific_tables_override_only_the_keys_they_set() -> None:
    book = RuleBook(
        [
            {"landline": "drop", "detail_max": 300},
            {"source": "shopify", "default_region": "US"},
            {"source": "shopify", "account": "Shop.myshopify.com", "milestones": ["shipped"]},
            {"source": "shopify", "account": "other.myshopify.com", "landline": "keep"},
        ]
    )
    shop = book.rules_for("shopify", "shop.myshopify.com")
    assert (shop.landline, shop.detail_max, shop.default_region) == ("drop", 300, "US")
    assert shop.milestones == {Milestone.SHIPPED}
    other = book.rules_for("shopify", "other.myshopify.com")
    assert (other.landline, other.default_region, other.milestones) == ("keep", "US", None)
    generic = book.rules_for("generic", "default")
    assert (generic.landline, generic.default_region) == ("drop", None)


def test_no_tables_mean_every_default() -> None:
    assert RuleBook().rules_for("generic", "default") == Rules()


def test_a_bad_table_fails_when_the_book_is_read() -> None:
    with pytest.raises(ValidationError):
        RuleBook([{"source": "shopify", "landlines": "drop"}])  # a misspelt key
    with pytest.raises(ValidationError):
        RuleBook([{"milestones": ["teleported"]}])
    with pytest.raises(ValueError, match="two"):
        RuleBook([{"source": "generic"}, {"source": "generic", "account": "*"}])


def test_the_shipped_configuration_reads() -> None:
    book = validation_rules(Settings().intake_config_path)
    assert book.rules_for("shopify", "herald-demo.myshopify.com").default_region == "US"


@pytest.mark.parametrize("table", ["easypost", "aftership"])
@pytest.mark.parametrize("key", ['milestones = ["delivered"]', 'default_region = "US"'])
def test_a_carrier_account_still_holding_a_rule_says_where_it_moved(
    tmp_path: Path, table: str, key: str
) -> None:
    """The [[validation]] table is the one place for them: an old file fails at start-up
    with the fix, rather than its rule being silently dropped."""
    config = tmp_path / "intake.toml"
    config.write_text(f'[[{table}]]\nname = "warehouse"\n{key}\n')
    settings = settings_for_tests(intake_config_path=config)
    accounts = easypost_accounts if table == "easypost" else aftership_accounts
    with pytest.raises(ValidationError, match="moved to the account's \\[\\[validation\\]\\]"):
        accounts(settings)
    with pytest.raises(ValidationError, match=f'source = "{table}", account = "warehouse"'):
        accounts(settings)
