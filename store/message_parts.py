"""The parts of each message as the provider reports them, folded into the message's status.

Vonage reports every part of a long message on its own, in any order, and retries them;
the HTTP service may be several replicas. So the parts live in the store: each report
updates its part's row (an older one never overrides a newer one, providers/delivery_parts
.py), and the message's status is read from all its rows in the same transaction. The
send registers the parts it was given; a report that beats the registration is kept and
counted once it comes, and until then the message's status is unknown (None).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from providers.delivery_parts import MessageParts, PartStatus
from providers.sms_provider import PartReport
from store.tables import MessagePartRow


@dataclass(frozen=True)
class PartsOutcome:
    message_key: str
    parts: MessageParts | None  # None: the send has not registered its parts yet
    before: str | None  # the message's status before this change

    @property
    def changed(self) -> bool:
        return self.parts is not None and self.parts.status != self.before

    @property
    def first_part(self) -> str | None:
        return self.parts.parts[0].part_id if self.parts and self.parts.parts else None


class PartReports:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def expect(
        self, message_key: str, provider: str, part_ids: Sequence[str], *, now: datetime
    ) -> PartsOutcome:
        """The send's parts, in order; reports that came first count from now on."""
        with self._sessions.begin() as session:
            rows = _rows(session, message_key, provider)
            before = _fold(rows)
            by_id = {row.part_id: row for row in rows}
            for position, part_id in enumerate(part_ids):
                row = by_id.get(part_id)
                if row is None:
                    row = MessagePartRow(
                        provider=provider,
                        part_id=part_id,
                        message_key=message_key,
                        status="queued",
                        updated_at=now,
                    )
                    session.add(row)
                    rows.append(row)
                row.position = position
            return PartsOutcome(message_key, _fold(rows), before.status if before else None)

    def record(
        self, report: PartReport, *, message_key: str | None, now: datetime
    ) -> PartsOutcome | None:
        """One part's report; None when neither the part nor a message key is known."""
        for attempt in range(2):
            try:
                return self._record(report, message_key, now)
            except IntegrityError:  # two first reports for one part at once: read it again
                if attempt:
                    raise
        return None

    def _record(
        self, report: PartReport, message_key: str | None, now: datetime
    ) -> PartsOutcome | None:
        with self._sessions.begin() as session:
            known = session.get(MessagePartRow, (report.provider, report.message_id))
            key = known.message_key if known is not None else message_key
            if key is None:
                return None
            rows = _rows(session, key, report.provider)
            before = _fold(rows)
            row = next((r for r in rows if r.part_id == report.message_id), None)
            if row is None:
                row = MessagePartRow(
                    provider=report.provider,
                    part_id=report.message_id,
                    message_key=key,
                    status="queued",
                    updated_at=now,
                )
                session.add(row)
                rows.append(row)
            current = MessageParts((_status(row),))
            updated = current.with_report(report).parts[0]
            row.status, row.error_code, row.sequence = (
                updated.status,
                updated.error_code,
                updated.sequence,
            )
            row.updated_at = now
            session.flush()
            return PartsOutcome(key, _fold(rows), before.status if before else None)

    def of(self, message_key: str, provider: str) -> MessageParts | None:
        with self._sessions() as session:
            return _fold(_rows(session, message_key, provider))


def _rows(session: Session, message_key: str, provider: str) -> list[MessagePartRow]:
    query = (
        select(MessagePartRow)
        .where(MessagePartRow.message_key == message_key, MessagePartRow.provider == provider)
        .with_for_update()
    )
    return list(session.scalars(query))


def _status(row: MessagePartRow) -> PartStatus:
    return PartStatus(row.part_id, row.status, row.error_code, row.sequence)


def _fold(rows: list[MessagePartRow]) -> MessageParts | None:
    """The message over its registered parts; None before the send registered them."""
    expected = sorted((r for r in rows if r.position is not None), key=lambda r: r.position or 0)
    if not expected:
        return None
    return MessageParts(tuple(_status(r) for r in expected))
