"""One object holding every store operation, built once per process from a URL."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from config.settings import get_settings
from privacy.sealed import Sealer
from store.consent import SmsConsent
from store.conversations import Conversations
from store.customer_facts import CustomerFactsReader
from store.database import make_engine, make_session_factory
from store.dead_letters import DeadLetters
from store.inbound_parts import InboundParts
from store.intake_cursors import IntakeCursors
from store.intake_inbox import IntakeInbox
from store.message_facts import MessageFactsStore
from store.message_parts import PartReports
from store.message_routes import MessageRoutes
from store.outbox import Outbox
from store.preferences import NotificationPreferences, RecentSends
from store.recipient_locks import RecipientLocks
from store.reply_questions import ReplyQuestions
from store.route_measurements import RouteMeasurements
from store.send_window import SenderLimiter
from store.statuses import DeliveryStatuses
from store.timeline import Timeline
from store.tracked_shipments import TrackedShipments


@dataclass(frozen=True)
class Store:
    engine: Engine
    outbox: Outbox
    statuses: DeliveryStatuses
    timeline: Timeline
    consent: SmsConsent
    preferences: NotificationPreferences
    recent_sends: RecentSends
    customer_facts: CustomerFactsReader
    sender_limiter: SenderLimiter
    conversations: Conversations
    reply_questions: ReplyQuestions
    recipient_locks: RecipientLocks
    message_facts: MessageFactsStore
    routes: RouteMeasurements
    parts: PartReports
    message_routes: MessageRoutes
    inbound_parts: InboundParts
    intake_inbox: IntakeInbox
    dead_letters: DeadLetters
    intake_cursors: IntakeCursors
    tracked_shipments: TrackedShipments

    @classmethod
    def connect(cls, url: str, sealer: Sealer | None = None) -> Store:
        """``sealer`` seals the intake's columns; None: one from the process's settings."""
        engine = make_engine(url)
        sealer = sealer or Sealer.from_settings(get_settings())
        sessions = make_session_factory(engine)
        return cls(
            engine=engine,
            outbox=Outbox(sessions),
            statuses=DeliveryStatuses(sessions),
            timeline=Timeline(sessions),
            consent=SmsConsent(sessions),
            preferences=NotificationPreferences(sessions),
            recent_sends=RecentSends(sessions),
            customer_facts=CustomerFactsReader(engine),
            sender_limiter=SenderLimiter(sessions),
            conversations=Conversations(sessions),
            reply_questions=ReplyQuestions(sessions),
            recipient_locks=RecipientLocks(engine),
            message_facts=MessageFactsStore(engine),
            routes=RouteMeasurements(sessions),
            parts=PartReports(sessions),
            message_routes=MessageRoutes(sessions),
            inbound_parts=InboundParts(engine),
            intake_inbox=IntakeInbox(engine, sealer),
            dead_letters=DeadLetters(engine, sealer),
            intake_cursors=IntakeCursors(engine),
            tracked_shipments=TrackedShipments(engine),
        )

    def ping(self) -> None:
        """Raise unless the database answers (readiness probes)."""
        with self.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")

    def close(self) -> None:
        self.engine.dispose()
