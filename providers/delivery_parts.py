"""A long message's outcome from its parts' reports.

Vonage reports each part on its own (and Plivo may, by ``ParentMessageUUID``): the message
is delivered when every part is, failed as soon as one part fails, and in flight
otherwise. Reports arrive in any order and may repeat (webhook retries); within a part a
final status is never replaced by a later intermediate one, and where the provider numbers
its callbacks (Plivo's ``Sequence``) an older one never overrides a newer one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from providers.sms_provider import FAILED_STATUSES, FINAL_STATUSES, PartReport


@dataclass(frozen=True)
class PartStatus:
    part_id: str
    status: str = "queued"  # the common vocabulary, until a report says otherwise
    error_code: str | None = None
    sequence: int | None = None


@dataclass(frozen=True)
class MessageParts:
    parts: tuple[PartStatus, ...]

    @classmethod
    def expecting(cls, part_ids: Sequence[str]) -> MessageParts:
        return cls(tuple(PartStatus(part_id) for part_id in part_ids))

    def with_report(self, report: PartReport) -> MessageParts:
        """These parts after one report; a report for no part of this message is ignored."""
        key = report.message_id
        updated = []
        for part in self.parts:
            if part.part_id == key and _newer(part, report):
                part = PartStatus(key, report.status, report.error_code, report.sequence)
            updated.append(part)
        return MessageParts(tuple(updated))

    def with_reports(self, reports: Iterable[PartReport]) -> MessageParts:
        parts = self
        for report in reports:
            parts = parts.with_report(report)
        return parts

    @property
    def status(self) -> str:
        """``delivered``, ``failed``/``undelivered`` (the first failed part's), or the least
        advanced part's status while any is in flight."""
        failed = next((p for p in self.parts if p.status in FAILED_STATUSES), None)
        if failed is not None:
            return failed.status
        if self.parts and all(p.status == "delivered" for p in self.parts):
            return "delivered"
        return "sent" if any(p.status == "sent" for p in self.parts) else "queued"

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def error_code(self) -> str | None:
        return next((p.error_code for p in self.parts if p.status in FAILED_STATUSES), None)

    def as_json(self) -> list[dict[str, str | None]]:
        return [
            {"part": p.part_id, "status": p.status, "error_code": p.error_code} for p in self.parts
        ]


_RANK = {"queued": 0, "sent": 1}


def _newer(part: PartStatus, report: PartReport) -> bool:
    if part.sequence is not None and report.sequence is not None:
        return report.sequence > part.sequence
    if part.status in FINAL_STATUSES:
        return False  # a final status stands; a late "accepted" or a repeat changes nothing
    if report.status in FINAL_STATUSES:
        return True
    return _RANK.get(report.status, 0) >= _RANK.get(part.status, 0)
