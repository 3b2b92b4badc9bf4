"""The Web UI's current details: what support reads first."""

from datetime import UTC, datetime

from domain.milestones import Kind, Milestone
from domain.timeline import (
    Channel,
    EntryKind,
    MessageRecord,
    MessagingHistory,
    NotificationState,
    TimelineEntry,
)
from workflows.support_view import current_details

AT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def message(key: str, purpose: str | None = None) -> MessageRecord:
    return MessageRecord(
        message_key=key,
        milestone=Milestone.OUT_FOR_DELIVERY,
        channel=Channel.SMS,
        recipient="+1********67",
        body="...",
        provider_message_id=f"SM{key}",
        provider_calls=1,
        purpose=purpose,
    )


def test_messages_say_what_they_are_about_and_decisions_follow() -> None:
    history = MessagingHistory(
        workflow_id="order-A1",
        kind=Kind.ORDER,
        reference="A1",
        last_milestone=Milestone.OUT_FOR_DELIVERY,
        state=NotificationState.DELIVERED,
        messages=[message("1"), message("2", purpose="slot_offer")],
        entries=[
            TimelineEntry(at=AT, kind=EntryKind.MILESTONE_RECEIVED, detail="not shown"),
            TimelineEntry(at=AT, kind=EntryKind.SLOTS_OFFERED, detail="4 offered"),
        ],
    )

    details = current_details(history)

    assert details.startswith("**Order A1**: delivered · last milestone **out_for_delivery**")
    gap = "\u2003"  # keeps the columns apart in the UI, which pads no cell
    assert "| time (UTC) | about | by | to | outcome |" in details
    assert f"| — |{gap}out_for_delivery |{gap}SMS |{gap}+1********67 |{gap}pending |" in details
    assert f"|{gap}reply: slot_offer |{gap}SMS |" in details
    assert "- 2026-11-23 09:30:00 slots offered: 4 offered" in details
    assert "not shown" not in details
    assert "SM1" not in details  # the provider id is in the history query, not the table


def test_an_outcome_says_the_error_and_the_retries() -> None:
    from domain.timeline import DeliveryStatus, StatusChange

    failed = message("3").model_copy(
        update={
            "status": DeliveryStatus.UNDELIVERED,
            "error_code": "30003",
            "provider_calls": 2,
            "statuses": [StatusChange(status=DeliveryStatus.ACCEPTED, at=AT)],
        }
    )
    history = MessagingHistory(
        workflow_id="order-A1", kind=Kind.ORDER, reference="A1", messages=[failed]
    )
    assert "| 09:30:00 |" in current_details(history)
    assert "undelivered (30003) after 2 calls |" in current_details(history)


def test_summaries_say_what_an_activity_will_try() -> None:
    from tests.helpers.events import order_event
    from workflows import support_view

    event = order_event("shipped", "A1")
    assert (
        support_view.deciding_send_summary(event, "+1********67")
        == "decide and send shipped by SMS to +1********67"
    )
    assert support_view.sms_summary(event, "+1********67") == "send shipped by SMS to +1********67"
    assert support_view.email_summary(event, "a***@example.com") == (
        "send shipped by e-mail to a***@example.com"
    )
