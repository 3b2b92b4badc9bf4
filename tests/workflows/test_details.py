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

    assert details.startswith("**Order A1**: delivered, last milestone **out_for_delivery**")
    assert "| out_for_delivery | sms | +1********67 | pending | SM1 | 1 |  |" in details
    assert "| reply: slot_offer | sms |" in details
    assert "- 2026-11-23 09:30:00 slots_offered: 4 offered" in details
    assert "not shown" not in details
