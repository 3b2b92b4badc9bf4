"""SMS consent per phone number: STOP blocks every SMS from the brand until START.

Keyed by the number's hash (:func:`store.outbox.recipient_hash`), never the number. The
current state answers "may we text this number?" in one lookup; the event rows keep every
change for audits. Changes can arrive late or twice (webhook retries, a replayed import):
the newest ``changed_at`` wins and a repeated change is recorded once.

Not every source is equal. The customer's own message (and an operator at the CLI) is
*authoritative*: it applies whatever the row says, so a STOP is never answered "you are
unsubscribed" without being applied, even over a change dated later (a clock gone wrong, or
someone dating a change in the future to keep a number opted in). Other sources (the
retailer's API, an import) only apply over older changes, and never carry a future date
(the API refuses one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NotRequired, TypedDict, Unpack

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from policy.channels import ConsentState
from store.database import engine_of
from store.outbox import recipient_hash
from store.tables import SmsConsentEventRow, SmsConsentRow


@dataclass(frozen=True)
class ConsentRecord:
    state: ConsentState
    keyword: str | None
    source: str
    changed_at: datetime

    @property
    def opted_out(self) -> bool:
        return self.state is ConsentState.OPTED_OUT


class ConsentChange(TypedDict):
    """What :meth:`SmsConsent.record` takes besides the number and the state."""

    at: datetime
    source: str
    keyword: NotRequired[str | None]
    authoritative: NotRequired[bool]


class SmsConsent:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._engine = engine_of(sessions)  # every send reads consent: no ORM session

    def get(self, phone: str) -> ConsentRecord | None:
        """The number's current consent; None when it never said anything (may be texted)."""
        return self.get_by_hash(recipient_hash(phone))

    def get_by_hash(self, phone_hash: str) -> ConsentRecord | None:
        with self._engine.connect() as connection:
            return read_consent(connection, phone_hash)

    def is_opted_out(self, phone: str) -> bool:
        current = self.get(phone)
        return current is not None and current.opted_out

    def opt_out(self, phone: str, **change: Unpack[ConsentChange]) -> ConsentRecord:
        """An opt-out (a STOP), through :meth:`record`."""
        return self.record(phone, ConsentState.OPTED_OUT, **change)

    def opt_in(self, phone: str, **change: Unpack[ConsentChange]) -> ConsentRecord:
        """An opt-in (a START), through :meth:`record`."""
        return self.record(phone, ConsentState.OPTED_IN, **change)

    def record(
        self,
        phone: str,
        state: ConsentState,
        *,
        at: datetime,
        source: str,
        keyword: str | None = None,
        authoritative: bool = False,
    ) -> ConsentRecord:
        """Log the change and apply it unless a newer one is already in; returns the current.

        ``authoritative``: the customer's own message or an operator: applied over anything.
        """
        phone_hash = recipient_hash(phone)
        change = {"state": state.value, "keyword": keyword, "source": source}
        self._log(phone_hash, change, at)
        newer_stands = () if authoritative else (SmsConsentRow.changed_at <= at,)
        for _ in range(2):  # the second pass only after another writer created the row
            with self._sessions.begin() as session:
                session.execute(
                    update(SmsConsentRow)
                    .where(SmsConsentRow.recipient_hash == phone_hash, *newer_stands)
                    .values(**change, changed_at=at)
                )
                row = session.get(SmsConsentRow, phone_hash)
                if row is not None:
                    return _record(row)  # ours if applied, else the newer one that stands
            if self._create(phone_hash, change, at):
                return ConsentRecord(state, keyword, source, at)
        raise RuntimeError("could not record the consent change")

    def history(self, phone: str) -> list[ConsentRecord]:
        """Every change the number made, oldest first."""
        with self._sessions() as session:
            rows = session.scalars(
                select(SmsConsentEventRow)
                .where(SmsConsentEventRow.recipient_hash == recipient_hash(phone))
                .order_by(SmsConsentEventRow.occurred_at, SmsConsentEventRow.id)
            )
            return [
                ConsentRecord(ConsentState(r.state), r.keyword, r.source, r.occurred_at)
                for r in rows
            ]

    def _log(self, phone_hash: str, change: dict[str, str | None], at: datetime) -> None:
        try:
            with self._sessions.begin() as session:
                session.add(SmsConsentEventRow(recipient_hash=phone_hash, occurred_at=at, **change))
        except IntegrityError:
            pass  # the same change, recorded before

    def _create(self, phone_hash: str, change: dict[str, str | None], at: datetime) -> bool:
        try:
            with self._sessions.begin() as session:
                session.add(SmsConsentRow(recipient_hash=phone_hash, changed_at=at, **change))
        except IntegrityError:
            return False  # another writer created it first: apply ours over theirs
        return True


def read_consent(connection: Connection, phone_hash: str) -> ConsentRecord | None:
    """The current consent on an open connection: a hot read (every send checks it)."""
    row = connection.execute(_CURRENT, {"p_hash": phone_hash}).first()
    return None if row is None else _record(row)


_CURRENT = select(
    SmsConsentRow.state, SmsConsentRow.keyword, SmsConsentRow.source, SmsConsentRow.changed_at
).where(SmsConsentRow.recipient_hash == bindparam("p_hash"))


def _record(row: Any) -> ConsentRecord:  # an SmsConsentRow or a row of its columns
    return ConsentRecord(ConsentState(row.state), row.keyword, row.source, row.changed_at)
