"""The route each SMS took, kept so a retried send keeps its route and support sees why.

An SMS's message key owns one row: the order of providers chosen for it, the reason and
the scores, and once a provider took it, which one, when and at what price. A failover
within the send uses the key ``<key>@<provider>`` for the next provider's outbox row
(``provider_key`` in routing/keys.py); its reports lead back to this row (``root_key``).
The first final report counts the route's outcome in ``route_stats`` exactly once
(``counted``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from routing.keys import root_key
from store.tables import MessageRouteRow


@dataclass(frozen=True)
class MessageRoute:
    message_key: str
    country: str
    order: tuple[str, ...]
    reason: str
    scores: str
    provider: str | None = None
    accepted_at: datetime | None = None
    cost_usd: Decimal | None = None
    counted: bool = False


class MessageRoutes:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def remember(self, route: MessageRoute) -> MessageRoute:
        """Keep ``route`` unless the message has one already; returns the one kept."""
        try:
            with self._sessions.begin() as session:
                existing = session.get(MessageRouteRow, route.message_key)
                if existing is not None:
                    return _route(existing)
                session.add(
                    MessageRouteRow(
                        message_key=route.message_key,
                        country=route.country,
                        route_order=",".join(route.order),
                        reason=route.reason,
                        scores=route.scores,
                        counted=0,
                    )
                )
        except IntegrityError:  # another attempt of the same send kept its route first
            kept = self.get(route.message_key)
            assert kept is not None
            return kept
        return route

    def get(self, key: str) -> MessageRoute | None:
        with self._sessions() as session:
            row = session.get(MessageRouteRow, root_key(key))
            return _route(row) if row is not None else None

    def accepted(self, key: str, provider: str, at: datetime, cost_usd: Decimal | None) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(MessageRouteRow)
                .where(MessageRouteRow.message_key == root_key(key))
                .values(provider=provider, accepted_at=at, cost_usd=cost_usd)
            )

    def count_outcome(self, key: str) -> MessageRoute | None:
        """The route, the first time its outcome is counted; None every later time, and
        None while no provider has taken the message yet: a report that beats the accept
        is counted when the accept is recorded (activities/sms_routing.py)."""
        with self._sessions.begin() as session:
            taken = session.execute(
                update(MessageRouteRow)
                .where(
                    MessageRouteRow.message_key == root_key(key),
                    MessageRouteRow.counted == 0,
                    MessageRouteRow.provider.is_not(None),
                )
                .values(counted=1)
            )
            if taken.rowcount != 1:
                return None
            row = session.get(MessageRouteRow, root_key(key))
            return _route(row) if row is not None else None


def _route(row: MessageRouteRow) -> MessageRoute:
    return MessageRoute(
        message_key=row.message_key,
        country=row.country,
        order=tuple(p for p in row.route_order.split(",") if p),
        reason=row.reason,
        scores=row.scores,
        provider=row.provider,
        accepted_at=row.accepted_at,
        cost_usd=row.cost_usd,
        counted=bool(row.counted),
    )
