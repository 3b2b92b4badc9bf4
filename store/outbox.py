"""The send outbox: one row per message key, written before the provider is called.

The row is what makes a send idempotent across crashes and retries:
- absent: nobody has tried; claim it and call the provider;
- ``started`` with no provider call recorded: a crash happened before the call; call it;
- ``started`` with a call recorded: the provider may have the message; ask it first;
- ``sent``: the provider has it; never call again, return the recorded id;
- ``failed``: the provider refused it for good.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from store.database import engine_of
from store.tables import MessageRow, MessageStatusRow, OutboxState, UtcDateTime

NOT_COLUMNS = frozenset({"recipient", "awaits_report"})  # NewMessage fields stored otherwise
# messages.report_waiter before the send registers its task token: "a send will collect
# the final report", as opposed to NULL, "nobody waits: signal it".
WAITER_TO_COME = b""


def recipient_hash(recipient: str) -> str:
    """A stable, non-reversible handle on a phone number or address (for lookups only)."""
    return hashlib.sha256(recipient.strip().lower().encode()).hexdigest()


@dataclass(frozen=True)
class NewMessage:
    message_key: str
    workflow_id: str
    kind: str
    reference: str
    milestone: str
    channel: str
    attempt: int
    recipient: str  # unmasked: only its hash is stored
    recipient_masked: str
    body: str
    subject: str | None = None
    encoding: str | None = None
    segments: int | None = None
    estimated_cost_usd: Decimal | None = None
    locale: str | None = None
    # The send will wait for its final report (store/statuses.py): a report that lands
    # before it registers is left for it to collect, not signalled.
    awaits_report: bool = False


@dataclass(frozen=True)
class OutboxEntry:
    message_key: str
    outbox_state: str
    provider_message_id: str | None
    provider_calls: int
    created_at: datetime
    provider_called_at: datetime | None
    error_code: str | None
    claimed_now: bool = False  # this call created the row
    # The text claimed, when read back: a send that stopped is finished with it.
    body: str | None = None
    encoding: str | None = None
    segments: int | None = None
    estimated_cost_usd: Decimal | None = None


class Outbox:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._engine = engine_of(sessions)  # the hot paths: Core statements only

    def claim(self, message: NewMessage, now: datetime, *, calling: bool = False) -> OutboxEntry:
        """Insert the row if it is new; either way return where the send stands.

        ``calling`` records the provider call in the same write as the claim (one round
        trip fewer on the hot path); it applies only when this call creates the row.
        """
        claimed = OutboxEntry(
            message_key=message.message_key,
            outbox_state=OutboxState.STARTED,
            provider_message_id=None,
            provider_calls=1 if calling else 0,
            created_at=now,
            provider_called_at=now if calling else None,
            error_code=None,
            claimed_now=True,
        )
        fields = {k: v for k, v in message.__dict__.items() if k not in NOT_COLUMNS}
        row = fields | {
            "recipient_hash": recipient_hash(message.recipient),
            "report_waiter": WAITER_TO_COME if message.awaits_report else None,
            "outbox_state": claimed.outbox_state,
            "delivery_status": "pending",
            "provider_calls": claimed.provider_calls,
            "provider_called_at": claimed.provider_called_at,
            "created_at": now,
            "updated_at": now,
        }
        # Insert first: a first attempt (the usual case) needs no read. A retry's insert
        # hits the unique message key, and the row it finds says where the send stands.
        try:
            with self._engine.begin() as connection:
                connection.execute(_INSERT_MESSAGE, row)
            return claimed
        except IntegrityError:
            with self._sessions() as session:
                existing = self._find(session, message.message_key)
                if existing is None:
                    raise  # not the message key: a real constraint violation
                return _entry(existing)

    def mark_calling(self, message_key: str, now: datetime) -> None:
        """Recorded before each provider call: a later retry then knows to ask first."""
        with self._sessions.begin() as session:
            row = self._require(session, message_key)
            row.provider_calls += 1
            row.provider_called_at = now
            row.updated_at = now

    def call_not_made(self, message_key: str) -> None:
        """Take back the call recorded before it, when the send stopped short of it (the
        sender's limit refused): a retry then calls without asking the provider first."""
        with self._engine.begin() as connection:
            connection.execute(_CALL_NOT_MADE, {"p_key": message_key})

    def complete(self, message_key: str, provider_message_id: str, now: datetime) -> None:
        # Core statements: no row object to load and flush.
        params = {"p_key": message_key, "p_provider_id": provider_message_id, "p_now": now}
        with self._engine.begin() as connection:
            message_id = connection.execute(_COMPLETE, params).scalar_one_or_none()
            if message_id is None:
                raise LookupError(f"no outbox row for {message_key!r}")
            connection.execute(
                INSERT_STATUS,
                {"message_id": message_id, "status": "accepted", "occurred_at": now},
            )

    def fail(
        self, message_key: str, error_code: str | None, error_message: str, now: datetime
    ) -> None:
        with self._sessions.begin() as session:
            row = self._require(session, message_key)
            row.outbox_state = OutboxState.FAILED
            row.delivery_status = "failed"
            row.error_code = error_code
            row.error_message = error_message
            row.updated_at = now
            session.add(
                MessageStatusRow(
                    message_id=row.id,
                    status="failed",
                    error_code=error_code,
                    detail=error_message,
                    occurred_at=now,
                )
            )

    def get(self, message_key: str) -> OutboxEntry | None:
        with self._sessions() as session:
            row = self._find(session, message_key)
            return None if row is None else _entry(row)

    def set_status(
        self, message_key: str, status: str, error_code: str | None, detail: str, now: datetime
    ) -> None:
        """A status the workflow decided (no report in time), beside the provider's."""
        with self._sessions.begin() as session:
            row = self._find(session, message_key)
            if row is None:
                return  # never claimed (suppressed before sending): nothing to annotate
            row.delivery_status = status
            row.updated_at = now
            session.add(
                MessageStatusRow(
                    message_id=row.id,
                    status=status,
                    error_code=error_code,
                    detail=detail,
                    occurred_at=now,
                )
            )

    def owner_of(self, provider_message_id: str) -> str | None:
        """The message key whose row holds this provider id, if any: a provider message
        another of our messages already claimed is not this one's to adopt."""
        query = select(MessageRow.message_key).where(
            MessageRow.provider_message_id == provider_message_id
        )
        with self._engine.connect() as connection:
            return connection.execute(query).scalars().first()

    def has_sent_to(self, recipient: str, channel: str) -> bool:
        """Whether the brand has ever had a message accepted for this recipient."""
        with self._sessions() as session:
            return has_sent(session.connection(), recipient_hash(recipient), channel)

    @staticmethod
    def _find(session: Session, message_key: str) -> MessageRow | None:
        return session.scalars(
            select(MessageRow).where(MessageRow.message_key == message_key)
        ).first()

    def _require(self, session: Session, message_key: str) -> MessageRow:
        row = self._find(session, message_key)
        if row is None:
            raise LookupError(f"no outbox row for {message_key!r}")
        return row


_INSERT_MESSAGE = insert(MessageRow)
INSERT_STATUS = insert(MessageStatusRow)  # also for the provider's reports (statuses.py)
_CALL_NOT_MADE = (
    update(MessageRow)
    .where(
        MessageRow.message_key == bindparam("p_key"),
        MessageRow.outbox_state == OutboxState.STARTED,
        MessageRow.provider_calls > 0,
    )
    .values(provider_calls=MessageRow.provider_calls - 1)
)
_COMPLETE = (
    update(MessageRow)
    .where(MessageRow.message_key == bindparam("p_key"))
    .values(
        outbox_state=OutboxState.SENT,
        provider_message_id=bindparam("p_provider_id"),
        delivery_status="accepted",
        sent_at=bindparam("p_now", type_=UtcDateTime()),
        updated_at=bindparam("p_now", type_=UtcDateTime()),
    )
    .returning(MessageRow.id)
)


def has_sent(connection: Connection, contact_hash: str, channel: str) -> bool:
    """:meth:`Outbox.has_sent_to` on an open connection, by the recipient's hash."""
    params = {"p_hash": contact_hash, "p_channel": channel}
    return connection.execute(_HAS_SENT, params).first() is not None


_HAS_SENT = (
    select(MessageRow.id)
    .where(
        MessageRow.recipient_hash == bindparam("p_hash"),
        MessageRow.channel == bindparam("p_channel"),
        MessageRow.outbox_state == OutboxState.SENT,
    )
    .limit(1)
)


def _entry(row: MessageRow, *, claimed_now: bool = False) -> OutboxEntry:
    return OutboxEntry(
        message_key=row.message_key,
        outbox_state=row.outbox_state,
        provider_message_id=row.provider_message_id,
        provider_calls=row.provider_calls,
        created_at=row.created_at,
        provider_called_at=row.provider_called_at,
        error_code=row.error_code,
        claimed_now=claimed_now,
        body=row.body,
        encoding=row.encoding,
        segments=row.segments,
        estimated_cost_usd=row.estimated_cost_usd,
    )
