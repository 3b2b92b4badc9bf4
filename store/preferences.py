"""What a customer hears from the brand: what they asked for, and what they received.

Preferences: per customer, per notification type, per channel, on or off (no row: on).
A customer is known by the hash of a phone number or an e-mail address; when an event
carries both, the rows under either hash apply and the latest choice wins. Critical types
cannot be turned off.

Recent sends: the frequency cap's input, read from the ``messages`` outbox rows.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from domain.timeline import Channel
from policy.notification_types import ensure_can_turn_off
from store.outbox import recipient_hash
from store.tables import MessageRow, NotificationPreferenceRow, OutboxState, UtcDateTime


@dataclass(frozen=True)
class Preference:
    notification_type: str
    channel: Channel
    enabled: bool
    source: str
    updated_at: datetime


class NotificationPreferences:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def set(
        self,
        contact: str,
        notification_type: str,
        channel: Channel,
        enabled: bool,
        *,
        critical_types: Collection[str],
        at: datetime,
        source: str,
    ) -> Preference:
        """Record one choice for the customer reached at ``contact`` (phone or e-mail).

        Raises :class:`policy.notification_types.CriticalNotificationError` when turning
        off a critical type.
        """
        if not enabled:
            ensure_can_turn_off(notification_type, frozenset(critical_types))
        customer = recipient_hash(contact)
        values = {"enabled": enabled, "source": source, "updated_at": at}
        for _ in range(2):  # the second pass only after another writer created the row
            with self._sessions.begin() as session:
                updated = session.execute(
                    update(NotificationPreferenceRow)
                    .where(
                        NotificationPreferenceRow.customer_hash == customer,
                        NotificationPreferenceRow.notification_type == notification_type,
                        NotificationPreferenceRow.channel == channel.value,
                    )
                    .values(**values)
                ).rowcount
            if updated or self._create(customer, notification_type, channel, values):
                return Preference(notification_type, channel, enabled, source, at)
        raise RuntimeError("could not record the preference")

    def for_customer(self, *contacts: str | None) -> list[Preference]:
        """The customer's choices under any of their contacts; the latest per type/channel."""
        hashes = [recipient_hash(c) for c in contacts if c]
        if not hashes:
            return []
        with self._sessions() as session:
            return read_preferences(session.connection(), hashes)

    def muted_channels(self, notification_type: str, *contacts: str | None) -> list[Channel]:
        """The channels the customer turned off for ``notification_type``."""
        return muted(self.for_customer(*contacts), notification_type)

    def _create(
        self,
        customer: str,
        notification_type: str,
        channel: Channel,
        values: dict[str, object],
    ) -> bool:
        try:
            with self._sessions.begin() as session:
                session.add(
                    NotificationPreferenceRow(
                        customer_hash=customer,
                        notification_type=notification_type,
                        channel=channel.value,
                        **values,
                    )
                )
        except IntegrityError:
            return False  # created by another writer meanwhile: update it instead
        return True


@dataclass(frozen=True)
class SentMessage:
    """One message a recipient received, or may have (a send in flight counts)."""

    workflow_id: str
    milestone: str
    channel: Channel
    at: datetime


class RecentSends:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def recent_sends(
        self,
        contact_hash: str,
        since: datetime,
        channels: Iterable[Channel] = (Channel.SMS,),
    ) -> list[SentMessage]:
        """Messages to ``contact_hash`` since ``since``, oldest first, across every order.

        Refused messages never reached the customer and do not count; one whose send is
        still in flight does, since it may have.
        """
        with self._sessions() as session:
            return read_recent_sends(session.connection(), contact_hash, since, channels)


# Reads on an open connection, as prebuilt Core statements: the send policy makes them for
# every milestone (store/customer_facts.py runs them together).


def read_preferences(connection: Connection, customer_hashes: list[str]) -> list[Preference]:
    """The choices under any of the hashes; the latest per type and channel."""
    rows = connection.execute(_PREFERENCES, {"p_hashes": customer_hashes})
    latest = {(r.notification_type, r.channel): _preference(r) for r in rows}
    return sorted(latest.values(), key=lambda p: (p.notification_type, p.channel.value))


def muted(preferences: Iterable[Preference], notification_type: str) -> list[Channel]:
    """The channels turned off for ``notification_type``."""
    return [
        p.channel for p in preferences if p.notification_type == notification_type and not p.enabled
    ]


def read_recent_sends(
    connection: Connection,
    contact_hash: str,
    since: datetime,
    channels: Iterable[Channel] = (Channel.SMS,),
) -> list[SentMessage]:
    params = {"p_hash": contact_hash, "p_since": since, "p_channels": [c.value for c in channels]}
    return [
        SentMessage(workflow_id, milestone, Channel(channel), at)
        for workflow_id, milestone, channel, at in connection.execute(_RECENT_SENDS, params)
    ]


_PREFERENCES = (
    select(
        NotificationPreferenceRow.notification_type,
        NotificationPreferenceRow.channel,
        NotificationPreferenceRow.enabled,
        NotificationPreferenceRow.source,
        NotificationPreferenceRow.updated_at,
    )
    .where(NotificationPreferenceRow.customer_hash.in_(bindparam("p_hashes", expanding=True)))
    .order_by(NotificationPreferenceRow.updated_at, NotificationPreferenceRow.id)
)
_sent_or_started = func.coalesce(MessageRow.sent_at, MessageRow.created_at)
_RECENT_SENDS = (
    select(MessageRow.workflow_id, MessageRow.milestone, MessageRow.channel, _sent_or_started)
    .where(
        MessageRow.recipient_hash == bindparam("p_hash"),
        MessageRow.channel.in_(bindparam("p_channels", expanding=True)),
        MessageRow.outbox_state != OutboxState.FAILED,
        _sent_or_started >= bindparam("p_since", type_=UtcDateTime()),
    )
    .order_by(_sent_or_started, MessageRow.id)
)


def _preference(row: Any) -> Preference:  # a NotificationPreferenceRow or its columns
    return Preference(
        row.notification_type, Channel(row.channel), row.enabled, row.source, row.updated_at
    )
