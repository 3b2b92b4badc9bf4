"""The rules together, in order, as the workflow will call them."""

from datetime import UTC, datetime, timedelta
from typing import Any

from domain.milestones import Milestone
from domain.timeline import Channel
from policy.channels import ConsentState
from policy.decision import PolicyAction, PolicyRule
from policy.duplicates import notified_milestone
from policy.evaluate import PolicyRequest, evaluate
from policy.frequency import RecentSend
from policy.rules import PolicyRules
from tests.helpers.events import order_event, return_event

RULES = PolicyRules()
NEW_YORK_NOON = datetime(2026, 6, 10, 16, 0, tzinfo=UTC)
NEW_YORK_NIGHT = datetime(2026, 6, 11, 3, 0, tzinfo=UTC)  # 23:00 in New York
PHONE = "+12125550100"  # New York


def request(milestone: str = "shipped", **overrides: Any) -> PolicyRequest:
    values: dict[str, Any] = {
        "candidate": notified_milestone(order_event(milestone, "A1")),
        "received_at": NEW_YORK_NOON - timedelta(hours=1),
        "phone": PHONE,
        "has_email": True,
        "profile_time_zone": "America/New_York",
    }
    values.update(overrides)
    return PolicyRequest(**values)


def progress_sends(count: int, at: datetime) -> tuple[RecentSend, ...]:
    return tuple(
        RecentSend(at=at - timedelta(minutes=10 * (i + 1)), notification_type="order_progress")
        for i in range(count)
    )


def test_a_plain_message_in_daytime_is_sent_by_sms_with_email_fallback() -> None:
    decision = evaluate(request(), NEW_YORK_NOON, RULES)

    assert decision.action is PolicyAction.SEND
    assert (decision.channels, decision.fallback_channels) == ((Channel.SMS,), (Channel.EMAIL,))
    assert decision.reason == "within every rule"


def test_a_duplicate_is_suppressed_before_anything_else() -> None:
    earlier = notified_milestone(order_event("shipped", "A1"))

    decision = evaluate(request(notified=(earlier,)), NEW_YORK_NIGHT, RULES)

    assert (decision.action, decision.rule) == (PolicyAction.SUPPRESS, PolicyRule.DUPLICATE)


def test_a_superseded_milestone_merges_into_the_newer_one() -> None:
    decision = evaluate(
        request("out_for_delivery", arrived_since=(Milestone.DELIVERED,)), NEW_YORK_NOON, RULES
    )

    assert (decision.action, decision.rule) == (PolicyAction.MERGE, PolicyRule.SUPERSEDED)
    assert decision.reason == "merged into delivered, which arrived in time"


def test_coalescing_holds_from_receipt_then_lets_go() -> None:
    received = NEW_YORK_NOON
    held = evaluate(request("out_for_delivery", received_at=received), NEW_YORK_NOON, RULES)
    later = evaluate(
        request("out_for_delivery", received_at=received),
        NEW_YORK_NOON + timedelta(minutes=10),
        RULES,
    )

    assert (held.action, held.rule) == (PolicyAction.HOLD, PolicyRule.COALESCING)
    assert held.hold_until == received + timedelta(minutes=10)
    assert held.reason == (
        "holding out_for_delivery up to 10 min for delivered, delivery_attempted, exception"
    )
    assert later.action is PolicyAction.SEND


def test_an_opted_out_number_is_never_texted_but_gets_email() -> None:
    decision = evaluate(request(sms_consent=ConsentState.OPTED_OUT), NEW_YORK_NIGHT, RULES)

    assert decision.action is PolicyAction.SEND  # e-mail knows no quiet hours
    assert decision.channels == (Channel.EMAIL,)
    assert "opted out" in decision.reason
    assert PHONE not in decision.reason


def test_nowhere_to_send_is_suppressed_with_the_reason() -> None:
    decision = evaluate(
        request(sms_consent=ConsentState.OPTED_OUT, has_email=False), NEW_YORK_NOON, RULES
    )

    assert (decision.action, decision.rule) == (PolicyAction.SUPPRESS, PolicyRule.CONSENT)


def test_over_the_cap_merges_until_a_place_frees() -> None:
    recent = progress_sends(4, NEW_YORK_NOON)

    decision = evaluate(request(recent_sms=recent), NEW_YORK_NOON, RULES)

    assert (decision.action, decision.rule) == (PolicyAction.MERGE, PolicyRule.FREQUENCY_CAP)
    assert decision.hold_until == recent[-1].at + timedelta(hours=24)
    assert decision.reason.endswith(": merged into the next message")


def test_over_the_cap_drops_when_the_type_says_so() -> None:
    rules = PolicyRules.model_validate(
        {
            "notification_types": {
                "order_progress": {"frequency_cap": {"max_messages": 1, "over_cap": "drop"}}
            }
        }
    )

    decision = evaluate(request(recent_sms=progress_sends(1, NEW_YORK_NOON)), NEW_YORK_NOON, rules)

    assert (decision.action, decision.rule) == (PolicyAction.SUPPRESS, PolicyRule.FREQUENCY_CAP)


def test_critical_messages_skip_the_cap() -> None:
    decision = evaluate(
        request("delivery_attempted", recent_sms=progress_sends(10, NEW_YORK_NOON)),
        NEW_YORK_NOON,
        RULES,
    )

    assert decision.action is PolicyAction.SEND


def test_night_holds_a_non_critical_sms_until_morning() -> None:
    decision = evaluate(request(), NEW_YORK_NIGHT, RULES)

    assert (decision.action, decision.rule) == (PolicyAction.HOLD, PolicyRule.QUIET_HOURS)
    assert decision.hold_until == datetime(2026, 6, 11, 12, 0, tzinfo=UTC)  # 08:00 EDT


def test_a_critical_type_overrides_quiet_hours_only_when_configured() -> None:
    attempt = evaluate(request("delivery_attempted"), NEW_YORK_NIGHT, RULES)
    refund = evaluate(
        request(candidate=notified_milestone(return_event("refund_processed", "R1"))),
        NEW_YORK_NIGHT,
        RULES,
    )

    assert attempt.action is PolicyAction.SEND  # delivery_exception overrides by default
    assert refund.action is PolicyAction.HOLD  # refund waits for the morning


def test_the_country_window_applies_to_the_number_country() -> None:
    rules = PolicyRules.model_validate({"sending_windows_by_country": {"US": {"end": "12:00"}}})

    decision = evaluate(request(), NEW_YORK_NOON, rules)

    assert decision.rule is PolicyRule.QUIET_HOURS


def test_a_customer_without_a_phone_is_not_held_at_night() -> None:
    decision = evaluate(request(phone=None), NEW_YORK_NIGHT, RULES)

    assert (decision.action, decision.channels) == (PolicyAction.SEND, (Channel.EMAIL,))


def test_a_hold_decided_again_when_its_timer_fires_sends() -> None:
    held = evaluate(request(), NEW_YORK_NIGHT, RULES)
    assert held.hold_until is not None

    assert evaluate(request(), held.hold_until, RULES).action is PolicyAction.SEND
