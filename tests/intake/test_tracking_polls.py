"""Which shipped events start a tracking poller: an order's shipped event with a tracking
number, from an intake account whose ``[[tracking]]`` table says ``poll``; nothing else."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from domain.events import MilestoneEvent, Shipment
from domain.milestones import Milestone
from intake.handoff import keep_events
from intake.tracking_polls import (
    PolledOrder,
    TrackingAccount,
    keep_tracker_change,
    poll_rules,
    poll_start_for,
    tracking_accounts,
)
from intake.validation import Rules
from store.repository import Store
from tests.helpers.events import order_event, return_event
from tests.helpers.temporal import settings_for_tests
from tests.intake import test_easypost as easypost_tests
from workflows.tracking_poll_state import TrackingPollPolicy, tracking_workflow_id

POLICY = TrackingPollPolicy(initial_seconds=60)
POLLED = {
    ("generic", "polled-demo"): TrackingAccount(
        source="generic", account="polled-demo", mode="poll", easypost_account="acme"
    ),
    ("shopify", "webhooked.myshopify.com"): TrackingAccount(
        source="shopify", account="webhooked.myshopify.com"
    ),
}


def shipped(
    tracking_id: str | None = "1Z999AA10123456784", carrier: str | None = "UPS"
) -> MilestoneEvent:
    event = order_event("shipped", "P1")
    return event.model_copy(update={"shipment": Shipment(carrier=carrier, tracking_id=tracking_id)})


def test_a_shipped_event_of_a_polling_account_starts_its_poller() -> None:
    start = poll_start_for("generic", "Polled-Demo", shipped(), POLLED, POLICY)
    assert start is not None
    assert (start.carrier, start.tracking_code, start.reference) == (
        "UPS",
        "1Z999AA10123456784",
        "P1",
    )
    assert (start.easypost_account, start.policy) == ("acme", POLICY)
    assert (
        tracking_workflow_id(start.carrier, start.tracking_code)
        == "tracking:ups:1Z999AA10123456784"
    )


@pytest.mark.parametrize(
    ("source", "account", "event"),
    [
        ("generic", "default", shipped()),  # no [[tracking]] table: webhooks
        ("shopify", "webhooked.myshopify.com", shipped()),  # mode webhook (the default)
        ("shopify", "polled-demo", shipped()),  # the same name from another source
        ("generic", "polled-demo", shipped(tracking_id=None)),  # nothing to track
        ("generic", "polled-demo", shipped(tracking_id="  ")),
        ("generic", "polled-demo", order_event("out_for_delivery", "P1")),  # not shipped
        ("generic", "polled-demo", return_event("received", "R1")),
    ],
)
def test_nothing_else_starts_a_poller(source: str, account: str, event: MilestoneEvent) -> None:
    assert poll_start_for(source, account, event, POLLED, POLICY) is None


def test_no_carrier_lets_easypost_detect_it() -> None:
    start = poll_start_for("generic", "polled-demo", shipped(carrier=None), POLLED, POLICY)
    assert start is not None and start.carrier == ""
    assert tracking_workflow_id(start.carrier, start.tracking_code).startswith("tracking:any:")


def test_a_code_or_carrier_past_the_pollers_limits_never_fails_the_dispatch() -> None:
    # The dispatcher calls this after the signal went through; raising would put the row
    # back and signal it again every minute, forever. A code longer than any carrier's
    # (tracked_shipments skips it too) starts nothing; a carrier EasyPost cannot know
    # (longer than its input takes) is left for EasyPost to detect.
    at_limit = poll_start_for(
        "generic", "polled-demo", shipped("A" * 100, "C" * 60), POLLED, POLICY
    )
    assert at_limit is not None and (at_limit.tracking_code, at_limit.carrier) == (
        "A" * 100,
        "C" * 60,
    )
    too_long = shipped("A" * 101)
    assert poll_start_for("generic", "polled-demo", too_long, POLLED, POLICY) is None
    odd_carrier = poll_start_for(
        "generic", "polled-demo", shipped(carrier="C" * 61), POLLED, POLICY
    )
    assert odd_carrier is not None and odd_carrier.carrier == ""


def test_the_tables_come_from_config_intake_toml(tmp_path: Path) -> None:
    config = tmp_path / "intake.toml"
    config.write_text(
        '[[tracking]]\nsource = "shopify"\naccount = "Shop.MyShopify.com"\nmode = "poll"\n'
    )
    accounts = tracking_accounts(settings_for_tests(intake_config_path=config))
    assert accounts[("shopify", "shop.myshopify.com")].mode == "poll"
    assert tracking_accounts(settings_for_tests(intake_config_path=tmp_path / "none.toml")) == {}


def test_the_shipped_config_polls_its_demo_account() -> None:
    accounts = tracking_accounts(settings_for_tests())
    assert accounts[("generic", "polled-demo")].mode == "poll"


def test_a_mode_other_than_poll_or_webhook_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "intake.toml"
    config.write_text('[[tracking]]\nsource = "generic"\naccount = "x"\nmode = "sometimes"\n')
    with pytest.raises(ValidationError):
        tracking_accounts(settings_for_tests(intake_config_path=config))


# --- the account's validation rules (intake/validation.py) ---------------------------------


def polled_delivery(store: Store, rules: Rules, **customer: object) -> tuple[int, str | None]:
    known = order_event("shipped", easypost_tests.ORDER, **customer)
    keep_events(store, "shopify", "shop", "w-1", [known], datetime.now(UTC))
    tracker = easypost_tests.load("tracker_updated_delivered")["result"]
    order = PolledOrder(reference=easypost_tests.ORDER, merchant="scarves")
    account = easypost_tests.ACCOUNT
    return keep_tracker_change(store, account, tracker, order, datetime.now(UTC), rules)


def test_a_polled_change_meets_the_accounts_rules(store: Store) -> None:
    kept, note = polled_delivery(store, Rules(milestones={Milestone.SHIPPED}))
    assert kept == 0 and note is not None and "does not use delivered" in note
    assert store.dead_letters.list(10) == []


def test_a_polled_change_refused_by_the_rules_is_a_dead_letter(store: Store) -> None:
    kept, note = polled_delivery(store, Rules(contact="email"), email=None)
    assert kept == 0 and note is not None and "e-mail only" in note
    [letter] = store.dead_letters.list(10)
    assert letter.source == "easypost_poller"


def test_the_polls_rules_are_the_easypost_accounts(tmp_path: Path) -> None:
    config = tmp_path / "intake.toml"
    config.write_text(
        '[[validation]]\nsource = "easypost"\naccount = "warehouse"\nlandline = "drop"\n'
    )
    settings = settings_for_tests(intake_config_path=config)
    assert poll_rules(settings, "warehouse").landline == "drop"
    assert poll_rules(settings, "other").landline == "keep"
