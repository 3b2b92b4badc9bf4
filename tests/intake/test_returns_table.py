"""A returns row's status to a return milestone: which statuses tell what, the customer as
far as the row makes one, and what becomes a dead letter (with its reason and priority)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from domain.milestones import Kind, Milestone
from intake.source import PRIORITY_CRITICAL, PRIORITY_LOW, PRIORITY_NORMAL, IntakeRefused
from intake.sources.returns_table import ReturnsTable, map_return_row, row_payload
from intake.validation import Rules

UPDATED = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
TABLE = ReturnsTable(
    name="acme",
    merchant="acme",
    columns={"reference": "rma", "locale": "locale", "country": "country"},
    statuses={
        "received_at_warehouse": "received",
        "inspected": "inspected",
        "refunded": "refund_processed",
        "closed": "resolved",
    },
    quiet_statuses={"requested", "label_sent"},
    time_zone="Europe/Berlin",
)
US = Rules(default_region="US")  # the table's [[validation]] rules
REFUNDING = TABLE.model_copy(
    update={
        "columns": TABLE.columns.model_copy(update={"refund_amount": "amount", "currency": "cur"})
    }
)


def row(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "id": 17,
        "rma": "RMA-1001",
        "status": "refunded",
        "updated_at": UPDATED,
        "customer_phone": "+14155550123",
        "customer_email": "ada@example.com",
        "customer_name": "Ada",
        "locale": "de",
        "country": None,
    }
    return {**values, **changes}


def one(payload: dict[str, Any], table: ReturnsTable = TABLE):  # type: ignore[no-untyped-def]
    mapped = map_return_row(row_payload(payload), table, US)
    [event] = mapped.events
    return event


def refusal(payload: dict[str, Any], table: ReturnsTable = TABLE) -> IntakeRefused:
    with pytest.raises(IntakeRefused) as refused:
        map_return_row(row_payload(payload), table, US)
    return refused.value


@pytest.mark.parametrize(
    ("status", "milestone"),
    [
        ("received_at_warehouse", Milestone.RECEIVED),
        ("inspected", Milestone.INSPECTED),
        ("refunded", Milestone.REFUND_PROCESSED),
        ("closed", Milestone.RESOLVED),
        ("  Refunded ", Milestone.REFUND_PROCESSED),  # the retailer's casing and padding
    ],
)
def test_each_mapped_status_is_its_return_milestone(status: str, milestone: Milestone) -> None:
    event = one(row(status=status))
    assert (event.kind, event.milestone, event.reference) == (Kind.RETURN, milestone, "RMA-1001")
    assert event.workflow_id == "return-RMA-1001"
    assert event.occurred_at == UPDATED
    assert event.merchant == "acme"
    assert event.customer.phone == "+14155550123" and event.customer.email == "ada@example.com"
    assert (event.customer.locale, event.customer.time_zone) == ("de", "Europe/Berlin")


def test_the_event_id_is_the_return_and_milestone_so_a_row_read_again_is_the_same_event() -> None:
    first = one(row())
    later = one(row(updated_at=UPDATED + timedelta(hours=2), customer_name="Ada L."))
    assert first.event_id == later.event_id == "RMA-1001:refund_processed"
    assert one(row(status="inspected")).event_id == "RMA-1001:inspected"


def test_a_quiet_status_tells_nothing_and_is_no_dead_letter() -> None:
    mapped = map_return_row(row_payload(row(status="Label_Sent")), TABLE)
    assert mapped.events == [] and mapped.ignored == "status 'label_sent' is quiet"


@pytest.mark.parametrize("status", ["refundd", "shipped"])  # a typo; an order milestone's name
def test_a_status_neither_mapped_nor_quiet_is_a_dead_letter(status: str) -> None:
    refused = refusal(row(status=status))
    assert f"status {status!r} is neither mapped nor quiet" in refused.reason
    assert refused.priority == PRIORITY_LOW


@pytest.mark.parametrize("status", [None, "", "   "])
def test_a_row_without_a_status_is_a_dead_letter(status: str | None) -> None:
    assert refusal(row(status=status)).reason == "return 17 has no status"


def test_the_reference_is_the_id_when_no_reference_column_is_configured() -> None:
    table = TABLE.model_copy(
        update={"columns": TABLE.columns.model_copy(update={"reference": None})}
    )
    event = one(row(), table)
    assert (event.reference, event.event_id) == ("17", "17:refund_processed")


@pytest.mark.parametrize("reference", ["R" * 100, "a.b_c:d-9", 42])
def test_references_up_to_a_hundred_safe_characters_are_kept(reference: object) -> None:
    assert one(row(rma=reference)).reference == str(reference)


@pytest.mark.parametrize("reference", ["R" * 101, "RMA 1001", "RMA/1001", "", None, True])
def test_an_unusable_reference_is_a_dead_letter_ranked_by_its_milestone(reference: object) -> None:
    refused = refusal(row(rma=reference))
    assert "column 'rma' holds no usable return reference" in refused.reason
    assert refused.priority == PRIORITY_CRITICAL  # a refund nobody would hear of
    assert refusal(row(rma=reference, status="inspected")).priority == PRIORITY_NORMAL


def test_a_bad_email_is_dropped_and_the_sms_goes_out() -> None:
    customer = one(row(customer_email="not-an-address")).customer
    assert (customer.phone, customer.email) == ("+14155550123", None)


def test_no_email_column_value_means_sms_only() -> None:
    customer = one(row(customer_email=None)).customer
    assert (customer.phone, customer.email) == ("+14155550123", None)


def test_a_bad_phone_is_dropped_and_the_email_goes_out() -> None:
    customer = one(row(customer_phone="12")).customer
    assert (customer.phone, customer.email) == (None, "ada@example.com")


def test_a_local_phone_is_read_in_the_rows_country_else_the_rules_region() -> None:
    assert one(row(customer_phone="(415) 555-0123")).customer.phone == "+14155550123"
    german = one(row(customer_phone="030 901820", country="DE")).customer
    assert german.phone == "+4930901820"
    # Without the rules' region a local number cannot be read: the e-mail goes alone.
    [event] = map_return_row(row_payload(row(customer_phone="(415) 555-0123")), TABLE).events
    assert event.customer.phone is None and event.customer.email


def test_a_table_still_holding_default_region_says_where_it_moved() -> None:
    with pytest.raises(ValidationError, match='source = "returns", account = "acme"'):
        ReturnsTable.model_validate({"name": "acme", "merchant": "a", "default_region": "US"})


def test_a_row_with_no_usable_contact_is_a_dead_letter() -> None:
    refused = refusal(row(customer_phone="12", customer_email="nobody"))
    assert refused.reason == "return RMA-1001: no customer with a valid phone or e-mail"
    assert refused.priority == PRIORITY_CRITICAL
    assert refusal(row(customer_phone=None, customer_email=None, status="closed")).priority == (
        PRIORITY_NORMAL
    )


def test_a_missing_name_and_locale_take_the_defaults_and_a_long_name_is_cut() -> None:
    customer = one(row(customer_name=None, locale=None)).customer
    assert (customer.name, customer.locale) == ("customer", "en")
    assert one(row(customer_name="N" * 201)).customer.name == "N" * 200
    assert one(row(customer_name="N" * 200)).customer.name == "N" * 200


def test_a_time_without_an_offset_is_read_in_the_tables_zone() -> None:
    table = TABLE.model_copy(update={"timestamps_time_zone": "America/New_York"})
    naive = datetime(2026, 12, 6, 9, 30)
    assert one(row(updated_at=naive), table).occurred_at == datetime(
        2026, 12, 6, 14, 30, tzinfo=UTC
    )
    offset = datetime(2026, 12, 6, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    assert one(row(updated_at=offset), table).occurred_at == datetime(
        2026, 12, 6, 7, 30, tzinfo=UTC
    )


@pytest.mark.parametrize("updated_at", [None, "yesterday", 1765000000])
def test_a_row_without_a_readable_time_is_a_dead_letter(updated_at: object) -> None:
    assert "column 'updated_at' holds no time" in refusal(row(updated_at=updated_at)).reason


def test_a_refund_with_amount_and_currency_is_told_with_its_amount() -> None:
    event = one(row(amount=Decimal("49.90"), cur="eur"), REFUNDING)
    assert event.refund is not None
    assert (event.refund.amount, event.refund.currency) == (Decimal("49.90"), "EUR")
    assert one(row(amount=Decimal("0"), cur="EUR"), REFUNDING).refund is not None


@pytest.mark.parametrize(
    ("amount", "currency"), [(None, "EUR"), (Decimal("10"), None), ("ten", "EUR"), (-1, "EUR")]
)
def test_an_unusable_refund_amount_is_left_out_not_the_message(
    amount: object, currency: str | None
) -> None:
    assert one(row(amount=amount, cur=currency), REFUNDING).refund is None


def test_only_the_refund_milestone_carries_the_refund() -> None:
    assert one(row(status="closed", amount=Decimal("5"), cur="EUR"), REFUNDING).refund is None


def test_a_row_is_kept_as_json_ready_values() -> None:
    key = uuid.UUID("12345678-1234-5678-1234-567812345678")
    payload = row_payload({"updated_at": UPDATED, "amount": Decimal("1.50"), "id": 3, "key": key})
    assert payload == {
        "updated_at": "2026-12-06T09:30:00+00:00",
        "amount": "1.50",
        "id": 3,
        "key": "12345678-1234-5678-1234-567812345678",
    }


@pytest.mark.parametrize(
    "changes",
    [
        {"statuses": {"shipped": "shipped"}},  # an order milestone for a return
        {"table": "returns; DROP TABLE returns"},
        {"columns": {"status": "status -- "}},
        {"time_zone": "Mars/Olympus"},
        {"poll_seconds": 31, "lease_seconds": 60},  # a lease shorter than two polls
        {"overlap_seconds": -1},
    ],
)
def test_a_configuration_that_cannot_work_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ReturnsTable(name="acme", merchant="acme", **changes)


def test_a_lease_of_exactly_two_polls_and_a_schema_qualified_table_are_accepted() -> None:
    table = ReturnsTable(
        name="acme", merchant="acme", poll_seconds=30, lease_seconds=60, table="shop.returns"
    )
    assert table.table == "shop.returns"
