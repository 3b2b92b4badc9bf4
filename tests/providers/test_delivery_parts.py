"""A long message's outcome from its parts' reports, in any order, repeated or late."""

from __future__ import annotations

from providers.delivery_parts import MessageParts
from providers.sms_provider import PartReport


def report(
    part: str, status: str, sequence: int | None = None, code: str | None = None
) -> PartReport:
    return PartReport("vonage", part, status, error_code=code, sequence=sequence)


def test_delivered_only_when_every_part_is() -> None:
    parts = MessageParts.expecting(["a", "b", "c"])
    parts = parts.with_reports([report("b", "delivered"), report("a", "delivered")])
    assert parts.status == "queued" and not parts.final
    parts = parts.with_report(report("c", "sent"))
    assert parts.status == "sent"
    parts = parts.with_report(report("c", "delivered"))
    assert parts.status == "delivered" and parts.final


def test_one_failed_part_fails_the_message_at_once() -> None:
    parts = MessageParts.expecting(["a", "b"]).with_report(report("b", "failed", code="12"))
    assert parts.status == "failed" and parts.final and parts.error_code == "12"
    # The other part delivered afterwards changes nothing: the message is incomplete.
    assert parts.with_report(report("a", "delivered")).status == "failed"


def test_a_late_intermediate_report_never_undoes_a_final_one() -> None:
    parts = MessageParts.expecting(["a"]).with_reports(
        [report("a", "delivered"), report("a", "sent"), report("a", "delivered")]
    )
    assert parts.status == "delivered"


def test_the_provider_sequence_decides_when_it_is_given() -> None:
    parts = MessageParts.expecting(["a"]).with_reports(
        [report("a", "undelivered", sequence=3), report("a", "sent", sequence=2)]
    )
    assert parts.status == "undelivered"


def test_reports_for_other_messages_are_ignored() -> None:
    parts = MessageParts.expecting(["a"]).with_report(report("z", "failed"))
    assert parts.status == "queued"
