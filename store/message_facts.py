"""What the KPIs need of each message beyond its outbox row (``message_facts``).

Written by the send activities once per message key (a retry writes nothing twice) and
read by ``reporting/``. A fallback e-mail or push names the SMS it replaced, found here
rather than told by the workflow: the SMS of the same event that did not get delivered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from store.tables import MessageFactsRow, MessageRouteRow, MessageRow


@dataclass(frozen=True)
class MessageFacts:
    message_key: str
    workflow_id: str
    event_id: str
    event_occurred_at: datetime
    merchant: str | None
    country: str | None
    provider: str
    channel: str
    open_tracked: bool = False


@dataclass(frozen=True)
class RecordedFacts:
    first_of_event: bool  # no message for this event was recorded before this one
    fallback_of: str | None  # the SMS this message replaced
    fallback_reason: str | None


class MessageFactsStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, facts: MessageFacts, now: datetime) -> RecordedFacts | None:
        """Write the facts; None when this key's were already written (a retry)."""
        with self._engine.begin() as connection:
            earlier = connection.execute(
                select(MessageFactsRow.message_key, MessageFactsRow.channel).where(
                    MessageFactsRow.workflow_id == facts.workflow_id,
                    MessageFactsRow.event_id == facts.event_id,
                    MessageFactsRow.message_key != facts.message_key,
                )
            ).all()
            fallback_of, reason = None, None
            if facts.channel != "sms":
                sms_keys = [key for key, channel in earlier if channel == "sms"]
                if sms_keys:
                    fallback_of, reason = self._failed_sms(connection, sms_keys)
            try:
                connection.execute(
                    insert(MessageFactsRow).values(
                        **facts.__dict__,
                        fallback_of=fallback_of,
                        fallback_reason=reason,
                        recorded_at=now,
                    )
                )
            except IntegrityError:
                return None
        return RecordedFacts(not earlier, fallback_of, reason)

    @staticmethod
    def _failed_sms(connection, sms_keys: list[str]) -> tuple[str | None, str | None]:  # type: ignore[no-untyped-def]
        row = connection.execute(
            select(
                MessageRow.message_key,
                MessageRow.final_status,
                MessageRow.outbox_state,
                MessageRow.error_code,
            )
            .where(MessageRow.message_key.in_(sms_keys))
            .where(func.coalesce(MessageRow.final_status, "") != "delivered")
            .order_by(MessageRow.id.desc())
            .limit(1)
        ).first()
        if row is None:
            return None, None
        key, final_status, outbox_state, error_code = row
        reason = final_status or ("refused" if outbox_state == "failed" else "no_report")
        return key, reason if not error_code or reason != "refused" else f"refused_{error_code}"

    def labels_of(self, message_key: str) -> tuple[str, str | None, str] | None:
        """(milestone, country, provider) of a message, for its metrics; None if unknown."""
        with self._engine.connect() as connection:
            row = connection.execute(
                select(
                    MessageRow.milestone,
                    MessageFactsRow.country,
                    # routing's choice once a provider took it; else the facts' own
                    func.coalesce(MessageRouteRow.provider, MessageFactsRow.provider),
                )
                .join(MessageFactsRow, MessageFactsRow.message_key == MessageRow.message_key)
                .outerjoin(MessageRouteRow, MessageRouteRow.message_key == MessageRow.message_key)
                .where(MessageRow.message_key == message_key)
            ).first()
        return (row[0], row[1], row[2]) if row else None

    def record_open(self, message_key: str, at: datetime) -> str | None:
        """The first open of a tracked e-mail: its milestone; None for a repeat or unknown."""
        with self._engine.begin() as connection:
            opened = connection.execute(
                update(MessageFactsRow)
                .where(
                    and_(
                        MessageFactsRow.message_key == message_key,
                        MessageFactsRow.open_tracked.is_(True),
                        MessageFactsRow.opened_at.is_(None),
                    )
                )
                .values(opened_at=at)
            ).rowcount
            if not opened:
                return None
            return (
                connection.execute(
                    select(MessageRow.milestone).where(MessageRow.message_key == message_key)
                ).scalar_one_or_none()
                or "unknown"
            )
