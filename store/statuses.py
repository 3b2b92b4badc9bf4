"""Delivery reports as they arrive, keyed by the provider's message id.

A final report reaches the workflow one of two ways, and this module decides which, in
the database both sides share:
- the send activity waits for it: it registers its task token on the message row
  (:meth:`DeliveryStatuses.await_final`) and completes asynchronously; the HTTP service
  takes that token when the final report lands (:meth:`DeliveryStatuses.record`) and
  completes the activity with the report. No signal, no extra workflow task.
- the send will wait but has not registered yet (the report beat it): the report stays
  on the row, and the send returns it when it comes to register. Nobody is told.
- nobody waits (an older workflow, a slow report, a retried send): the HTTP service
  signals the workflow, as before. A wait that ends without a report gives its token up
  (:meth:`DeliveryStatuses.give_up_waiting`) before the worker completes the activity
  itself, so the token is used once: by the report or by the worker.
Each side changes the row in one transaction that locks it (an UPDATE first), so exactly
one of "the activity registered before the report" and "the report came first" holds.

Reports come in no guaranteed order and may repeat (the provider sends one per change;
anyone holding a signed callback can replay it). So the row's ``delivery_status`` only moves
forward (:data:`STATUS_RANK`) and never past the first final status, which is the one the
workflow keeps too: store and workflow never disagree. The history keeps one row per
distinct report and counts the repeats on it, and only the first final report reaches the
workflow: a replayed callback grows neither the table nor the workflow's history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    ColumnElement,
    Connection,
    LargeBinary,
    String,
    Update,
    and_,
    bindparam,
    case,
    func,
    select,
    update,
)
from sqlalchemy.orm import Session, sessionmaker

from store.database import engine_of
from store.outbox import INSERT_STATUS, WAITER_TO_COME
from store.tables import MessageRow, MessageStatusRow, UtcDateTime

# How far along a message is, by the provider's status word (Twilio's message status
# values). A report moves the row's status only forward; unknown words are kept in the
# history and move nothing.
STATUS_RANK: dict[str, int] = {
    "pending": 0,  # Herald's own, before the provider has it
    "accepted": 1,
    "scheduled": 1,
    "queued": 2,
    "sending": 3,
    "sent": 4,
    "delivered": 5,
    "undelivered": 5,
    "failed": 5,
    "canceled": 5,
    "read": 6,
}


@dataclass(frozen=True)
class FinalStatus:
    status: str
    error_code: str | None
    at: datetime


@dataclass(frozen=True)
class ReportedMessage:
    workflow_id: str
    message_key: str
    provider_calls: int = 0
    sent_at: datetime | None = None
    provider_called_at: datetime | None = None  # handed to the provider: delivery time's start
    # The waiting send activity's task token: set only for the first final report, and
    # taken from the row in the same transaction, so one callback completes it.
    waiter: bytes | None = None
    # The first final report of a send that will wait but has not registered yet: it finds
    # the report when it registers, so nobody needs to be told.
    collected_by_send: bool = False
    # This report was the message's first final one: the one the workflow must hear of.
    # A repeat, or a final report after another, changes nothing and wakes nobody.
    first_final: bool = False
    repeated: bool = False  # the same report came before; counted, not stored again
    # The SMS as sent: the waiting send's result carries it (activities/decide_and_send.py).
    body: str | None = None
    encoding: str | None = None
    segments: int | None = None
    estimated_cost_usd: Decimal | None = None


@dataclass(frozen=True)
class AwaitedReport:
    registered: bool  # the activity waits: the final report will complete it
    final: FinalStatus | None  # the final report, when it came first


class DeliveryStatuses:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._engine = engine_of(sessions)  # the hot paths below: Core statements only

    def record(
        self,
        provider_message_id: str,
        status: str,
        error_code: str | None,
        occurred_at: datetime,
        *,
        message_key: str | None = None,
        final: bool = False,
    ) -> ReportedMessage | None:
        """Append the status; None when no message has that provider id (not ours).

        ``message_key`` (from our own, signed, callback URL) finds the row when the report
        beats the send's write of the provider id. ``final``: the status ends the message;
        the first one is kept as ``final_status`` and takes the waiting activity's token.
        """
        params = {
            "p_sid": provider_message_id,
            "p_key": message_key,
            "p_status": status,
            "p_rank": STATUS_RANK.get(status, -1),
            "p_code": error_code,
            "p_at": occurred_at,
        }
        with self._engine.begin() as connection:
            # The UPDATE takes the row (PostgreSQL) or the database (SQLite) first, so the
            # final status and waiter it returns cannot change before this commits.
            row = connection.execute(_RECORD_BY_PROVIDER_ID, params).first()
            if row is None and message_key:
                row = connection.execute(_RECORD_BY_MESSAGE_KEY, params).first()
            if row is None:
                return None
            repeated = bool(
                connection.execute(
                    _COUNT_REPEAT, {"p_id": row.id, "p_status": status, "p_code": error_code}
                ).rowcount
            )
            if not repeated:
                connection.execute(
                    INSERT_STATUS,
                    {
                        "message_id": row.id,
                        "status": status,
                        "error_code": error_code,
                        "occurred_at": occurred_at,
                    },
                )
            waiter, first_final = None, final and row.final_status is None
            if first_final:
                connection.execute(_SET_FINAL, {**params, "p_id": row.id})
                waiter = row.report_waiter
            return ReportedMessage(
                workflow_id=row.workflow_id,
                message_key=row.message_key,
                provider_calls=row.provider_calls,
                sent_at=row.sent_at,
                provider_called_at=row.provider_called_at,
                waiter=waiter or None,
                collected_by_send=waiter == WAITER_TO_COME,
                first_final=first_final,
                repeated=repeated,
                body=row.body,
                encoding=row.encoding,
                segments=row.segments,
                estimated_cost_usd=row.estimated_cost_usd,
            )

    def await_final(self, message_key: str, waiter: bytes) -> AwaitedReport:
        """Register the send activity as the recipient of the message's final report."""
        with self._engine.begin() as connection:
            registered = connection.execute(
                _AWAIT_FINAL, {"p_key": message_key, "p_waiter": waiter}
            ).rowcount
            if registered:
                return AwaitedReport(registered=True, final=None)
            return AwaitedReport(registered=False, final=self._final(connection, message_key))

    def give_up_waiting(self, message_key: str, waiter: bytes) -> bool:
        """The wait of the activity with this token ended without a final report: later
        reports are signalled. False when the report came first and took the token (its
        callback completes the activity), or the wait was already given up."""
        # Read first, in its own transaction: the report has usually taken the token, and
        # a read takes no write lock (SQLite has one for the whole database).
        params = {"p_key": message_key, "p_waiter": waiter}
        with self._engine.connect() as connection:
            current = connection.execute(_WAITER, params).scalar_one_or_none()
        if current != waiter:
            return False
        with self._engine.begin() as connection:
            return bool(connection.execute(_GIVE_UP_WAITING, params).rowcount)

    def stop_awaiting(self, message_key: str) -> FinalStatus | None:
        """No activity waits any more (a retry after the wait timed out): later final
        reports are signalled. Returns the final report if it has come already."""
        with self._engine.begin() as connection:
            connection.execute(_STOP_AWAITING, {"p_key": message_key})
            return self._final(connection, message_key)

    def history(self, message_key: str) -> list[tuple[str, str | None, datetime]]:
        with self._sessions() as session:
            query = (
                select(
                    MessageStatusRow.status,
                    MessageStatusRow.error_code,
                    MessageStatusRow.occurred_at,
                )
                .join(MessageRow, MessageRow.id == MessageStatusRow.message_id)
                .where(MessageRow.message_key == message_key)
                .order_by(MessageStatusRow.occurred_at, MessageStatusRow.id)
            )
            return [(s, e, t) for s, e, t in session.execute(query)]

    def final_of(self, message_key: str) -> FinalStatus | None:
        """The message's first final report, if it came (read only)."""
        with self._engine.connect() as connection:
            return self._final(connection, message_key)

    def current(self, message_key: str) -> tuple[str, str | None] | None:
        """The message's (status, first final status) as the store has them."""
        query = select(MessageRow.delivery_status, MessageRow.final_status).where(
            MessageRow.message_key == message_key
        )
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else (row.delivery_status, row.final_status)

    def repeats(self, message_key: str) -> dict[str, int]:
        """How often each reported status came again, by status (for support and tests)."""
        query = (
            select(MessageStatusRow.status, func.sum(MessageStatusRow.repeats))
            .join(MessageRow, MessageRow.id == MessageStatusRow.message_id)
            .where(MessageRow.message_key == message_key, MessageStatusRow.repeats > 0)
            .group_by(MessageStatusRow.status)
        )
        with self._engine.connect() as connection:
            return {status: int(count) for status, count in connection.execute(query)}

    @staticmethod
    def _final(connection: Connection, message_key: str) -> FinalStatus | None:
        row = connection.execute(_FINAL, {"p_key": message_key}).first()
        if row is None or row.final_status is None or row.final_at is None:
            return None
        return FinalStatus(status=row.final_status, error_code=row.error_code, at=row.final_at)


# Built once, run on a plain connection (no ORM session or objects): this is the HTTP
# service's hot path, once per status callback.
def _record_statement(*where: ColumnElement[bool]) -> Update:
    m = MessageRow
    current_rank = case(STATUS_RANK, value=m.delivery_status, else_=0)
    # Forward only, and never past the first final status (which the workflow keeps).
    moves = and_(m.final_status.is_(None), current_rank < bindparam("p_rank"))
    return (
        update(m)
        .where(*where)
        .values(
            delivery_status=case((moves, bindparam("p_status")), else_=m.delivery_status),
            error_code=case(
                (moves, func.coalesce(bindparam("p_code", type_=String()), m.error_code)),
                else_=m.error_code,
            ),
            updated_at=bindparam("p_at", type_=UtcDateTime()),
        )
        .returning(
            m.id,
            m.workflow_id,
            m.message_key,
            m.provider_calls,
            m.sent_at,
            m.provider_called_at,
            m.final_status,
            m.report_waiter,
            m.body,
            m.encoding,
            m.segments,
            m.estimated_cost_usd,
        )
    )


_RECORD_BY_PROVIDER_ID = _record_statement(MessageRow.provider_message_id == bindparam("p_sid"))
_RECORD_BY_MESSAGE_KEY = _record_statement(
    MessageRow.message_key == bindparam("p_key"), MessageRow.provider_message_id.is_(None)
)
_COUNT_REPEAT = (
    update(MessageStatusRow)
    .where(
        MessageStatusRow.message_id == bindparam("p_id"),
        MessageStatusRow.status == bindparam("p_status"),
        # NULL-safe: a report without an error code repeats one without.
        MessageStatusRow.error_code.is_not_distinct_from(bindparam("p_code", type_=String())),
    )
    .values(repeats=MessageStatusRow.repeats + 1)
)
_SET_FINAL = (
    update(MessageRow)
    .where(MessageRow.id == bindparam("p_id"))
    .values(
        final_status=bindparam("p_status"),
        final_at=bindparam("p_at", type_=UtcDateTime()),
        report_waiter=None,
    )
)
_AWAIT_FINAL = (
    update(MessageRow)
    .where(MessageRow.message_key == bindparam("p_key"), MessageRow.final_status.is_(None))
    .values(report_waiter=bindparam("p_waiter", type_=LargeBinary()))
)
_STOP_AWAITING = (
    update(MessageRow)
    .where(MessageRow.message_key == bindparam("p_key"))
    .values(report_waiter=None)
)
_WAITER = select(MessageRow.report_waiter).where(MessageRow.message_key == bindparam("p_key"))
_GIVE_UP_WAITING = (
    update(MessageRow)
    .where(
        MessageRow.message_key == bindparam("p_key"),
        MessageRow.report_waiter == bindparam("p_waiter", type_=LargeBinary()),
    )
    .values(report_waiter=None)
)
_FINAL = select(MessageRow.final_status, MessageRow.error_code, MessageRow.final_at).where(
    MessageRow.message_key == bindparam("p_key")
)
