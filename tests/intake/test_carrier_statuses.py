"""config/carrier_statuses.toml: every status the providers document has a meaning, a
refining code wins over its main one, and a table that makes no sense does not load."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from domain.events import DeliveryProblem
from domain.milestones import Milestone
from intake.carrier_statuses import StatusMeaning, StatusTable, load_carrier_statuses

CONFIG = Path("config/carrier_statuses.toml")
# As EasyPost's Tracker and AfterShip's Delivery Statuses pages list them.
EASYPOST_STATUSES = {
    "unknown", "pre_transit", "in_transit", "out_for_delivery", "delivered",
    "available_for_pickup", "return_to_sender", "failure", "cancelled", "error",
}  # fmt: skip
AFTERSHIP_TAGS = {
    "Pending", "InfoReceived", "InTransit", "OutForDelivery", "AttemptFail", "Delivered",
    "AvailableForPickup", "Exception", "Expired",
}  # fmt: skip


def test_every_documented_status_and_tag_has_a_meaning() -> None:
    statuses = load_carrier_statuses(CONFIG)
    assert set(statuses.easypost.main) == EASYPOST_STATUSES
    assert set(statuses.aftership.main) == AFTERSHIP_TAGS


def test_a_refining_code_wins_and_an_unknown_one_leaves_the_main_status_to_decide() -> None:
    table = load_carrier_statuses(CONFIG).easypost
    assert table.meaning("in_transit", "arrived_at_facility") == StatusMeaning(
        milestone=Milestone.SHIPPED
    )
    assert table.meaning("in_transit", "weather_delay") == StatusMeaning(
        milestone=Milestone.DELAYED
    )
    assert table.meaning("failure", "lost") == StatusMeaning(
        milestone=Milestone.EXCEPTION, problem=DeliveryProblem.LOST
    )
    assert table.meaning("pre_transit", None) == StatusMeaning(milestone=None)
    assert table.meaning("teleported", None) is None
    assert table.meaning(None, None) is None


@pytest.mark.parametrize(
    ("entry", "error"),
    [
        ('"refund_processed"', "not an order milestone"),
        ('"teleported"', "milestone"),
        ('{ milestone = "delivered", problem = "lost" }', "a problem is only given with"),
        ('{ milestone = "exception", problem = "stolen" }', "problem"),
    ],
)
def test_a_table_that_makes_no_sense_does_not_load(tmp_path: Path, entry: str, error: str) -> None:
    path = tmp_path / "statuses.toml"
    path.write_text(f'[easypost.status]\nx = {entry}\n[aftership.tag]\nDelivered = "delivered"\n')
    with pytest.raises(ValidationError, match=error):
        load_carrier_statuses(path)


def test_a_provider_without_its_main_table_does_not_load(tmp_path: Path) -> None:
    path = tmp_path / "statuses.toml"
    path.write_text('[easypost.status]\ndelivered = "delivered"\n')
    with pytest.raises(ValidationError, match="needs its main codes"):
        load_carrier_statuses(path)
    with pytest.raises(ValidationError):
        StatusTable(main={})


def test_the_shipped_tables_refine_a_code_with_the_finer_one() -> None:
    statuses = load_carrier_statuses(CONFIG)
    assert statuses.easypost.meaning("in_transit", "weather_delay") == StatusMeaning(
        milestone=Milestone.DELAYED
    )
    assert statuses.aftership.meaning("Exception", "Exception_004") == StatusMeaning(
        milestone=Milestone.DELAYED  # customs clearance: a delay, not an exception
    )
    assert statuses.aftership.meaning("Exception", None) == StatusMeaning(
        milestone=Milestone.EXCEPTION
    )


@pytest.mark.parametrize(
    "text",
    [
        '[aftership.tag]\nDelivered = "delivered"\n',  # no EasyPost table at all
        '[easypost.status_detail]\nlost = "exception"\n[aftership.tag]\nDelivered = "delivered"\n',
    ],
)
def test_a_file_without_a_sources_main_codes_does_not_load(text: str, tmp_path: Path) -> None:
    path = tmp_path / "carrier_statuses.toml"
    path.write_text(text)
    with pytest.raises(ValidationError, match="needs its main codes"):
        load_carrier_statuses(path)


def test_the_finer_codes_are_optional(tmp_path: Path) -> None:
    path = tmp_path / "carrier_statuses.toml"
    path.write_text(
        '[easypost.status]\ndelivered = "delivered"\n[aftership.tag]\nDelivered = "delivered"\n'
    )
    statuses = load_carrier_statuses(path)
    assert statuses.easypost.refining == {} and statuses.aftership.refining == {}
    assert statuses.aftership.meaning("Delivered", "Delivered_001") == StatusMeaning(
        milestone=Milestone.DELIVERED
    )
