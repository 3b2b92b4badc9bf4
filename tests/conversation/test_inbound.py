"""POST /twilio/inbound: signature, consent first, routing, TwiML answers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator

from api.inbound import INBOUND_PATH, CustomerReply, InboundHooks, create_inbound_router
from config.conversation import ConversationSettings
from config.settings import Settings
from conversation.intents import IntentKind
from conversation.routing import ActiveConversation
from domain.milestones import Kind
from messaging.brand import Brand
from store.consent import SmsConsent
from store.database import make_session_factory
from store.repository import Store

PHONE = "+14155550167"
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
SETTINGS = Settings(_env_file=None, public_base_url="https://herald.example")  # type: ignore[call-arg]
BRAND = Brand(
    name="Herald Shop",
    support_contact="support@herald.example",
    tracking_base_url="https://track.herald.example",
)


def conversation(reference: str, hours_ago: float, locale: str = "en") -> ActiveConversation:
    return ActiveConversation(
        workflow_id=f"order-{reference}",
        kind=Kind.ORDER,
        reference=reference,
        last_message_at=NOW - timedelta(hours=hours_ago),
        locale=locale,
    )


@dataclass
class RecordingHooks:
    """Stand-ins for the workflow side: what was delivered and what nobody took."""

    conversations: list[ActiveConversation] = field(default_factory=list)
    delivered: list[tuple[CustomerReply, str]] = field(default_factory=list)
    unrouted: list[CustomerReply] = field(default_factory=list)
    answer: str | None = None

    async def find(self, _phone: str) -> Sequence[ActiveConversation]:
        return self.conversations

    async def deliver(self, reply: CustomerReply, to: ActiveConversation) -> str | None:
        self.delivered.append((reply, to.workflow_id))
        return self.answer

    async def record(self, reply: CustomerReply) -> None:
        self.unrouted.append(reply)

    def hooks(self) -> InboundHooks:
        return InboundHooks(self.find, self.deliver, self.record)


@pytest.fixture
def hooks() -> RecordingHooks:
    return RecordingHooks()


@pytest.fixture
def http(store: Store, hooks: RecordingHooks) -> TestClient:
    return inbound_service(store, hooks)


def inbound_service(store: Store, hooks: RecordingHooks) -> TestClient:
    """One HTTP service with the inbound route; several may share a store, like replicas."""
    app = FastAPI()
    app.include_router(
        create_inbound_router(
            SETTINGS,
            store,
            hooks=hooks.hooks(),
            conversation_settings=ConversationSettings(_env_file=None),  # type: ignore[call-arg]
            brand=BRAND,
            clock=lambda: NOW,
        )
    )
    return TestClient(app)


def text_in(http: TestClient, body: str, sid: str = "SM1", signature: str | None = None) -> str:
    form = {"MessageSid": sid, "From": PHONE, "To": "+15005550006", "Body": body}
    url = SETTINGS.effective_public_base_url + INBOUND_PATH
    signed = RequestValidator(SETTINGS.effective_twilio_auth_token).compute_signature(url, form)
    response = http.post(
        INBOUND_PATH, data=form, headers={"X-Twilio-Signature": signature or signed}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return response.text


def test_a_forged_signature_is_refused(http: TestClient, hooks: RecordingHooks) -> None:
    form = {"MessageSid": "SM1", "From": PHONE, "Body": "STOP"}
    forged = http.post(INBOUND_PATH, data=form, headers={"X-Twilio-Signature": "forged"})
    missing = http.post(INBOUND_PATH, data=form)
    assert (forged.status_code, missing.status_code) == (403, 403)
    assert not hooks.delivered and not hooks.unrouted


def test_stop_opts_out_before_anything_else(
    http: TestClient, hooks: RecordingHooks, store: Store
) -> None:
    hooks.conversations = [conversation("A100", 1)]
    answer = text_in(http, "Stop.")
    assert "you are unsubscribed" in answer and "<Message>" in answer
    assert SmsConsent(make_session_factory(store.engine)).is_opted_out(PHONE)
    assert not hooks.delivered


def test_start_opts_back_in_in_the_customer_language(
    http: TestClient, hooks: RecordingHooks, store: Store
) -> None:
    hooks.conversations = [conversation("A100", 1, locale="fr-FR")]
    text_in(http, "STOP")
    answer = text_in(http, "START")
    assert "vous recevrez" in answer
    assert not SmsConsent(make_session_factory(store.engine)).is_opted_out(PHONE)


def test_help_answers_with_the_brand_help_text(http: TestClient) -> None:
    assert "support@herald.example" in text_in(http, "HELP")


def test_an_unknown_number_gets_a_helpful_answer_and_is_recorded(
    http: TestClient, hooks: RecordingHooks
) -> None:
    answer = text_in(http, "where is my parcel?")
    assert "no recent order or return" in answer
    [recorded] = hooks.unrouted
    assert (recorded.intent, recorded.text) == (IntentKind.OTHER, "where is my parcel?")


def test_a_reply_reaches_its_one_conversation(http: TestClient, hooks: RecordingHooks) -> None:
    hooks.conversations = [conversation("A100", 1)]
    hooks.answer = "Herald Shop: pick a slot: 1 Fri am, 2 Fri pm."
    assert "pick a slot" in text_in(http, "reschedule pls", sid="SM42")
    [(reply, workflow_id)] = hooks.delivered
    assert workflow_id == "order-A100"
    assert (reply.intent, reply.message_sid, reply.phone) == (IntentKind.RESCHEDULE, "SM42", PHONE)


def test_an_answer_later_is_an_empty_twiml(http: TestClient, hooks: RecordingHooks) -> None:
    hooks.conversations = [conversation("A100", 1)]
    answer = text_in(http, "call me")
    assert "<Message>" not in answer and "<Response" in answer


def test_several_conversations_ask_then_the_number_routes_the_first_reply(
    http: TestClient, hooks: RecordingHooks
) -> None:
    hooks.conversations = [conversation("A100", 5), conversation("B200", 1)]
    question = text_in(http, "Llámame", sid="SM1")
    assert "1 order B200, 2 order A100" in question
    assert not hooks.delivered
    text_in(http, "2", sid="SM2")
    [(reply, workflow_id)] = hooks.delivered
    assert (workflow_id, reply.intent, reply.message_sid) == (
        "order-A100",
        IntentKind.CALL_ME,
        "SM1",
    )


def test_a_number_without_a_question_goes_to_the_conversation(
    http: TestClient, hooks: RecordingHooks
) -> None:
    hooks.conversations = [conversation("A100", 1)]
    text_in(http, "#2")  # a delivery slot, for the workflow to read
    [(reply, _)] = hooks.delivered
    assert (reply.intent, reply.choice) == (IntentKind.CHOICE, 2)


def test_a_bare_number_with_several_conversations_answers_the_latest_question(
    http: TestClient, hooks: RecordingHooks
) -> None:
    # B200 texted last (a slot offer, say): "3" is its answer, not a reason to ask again.
    hooks.conversations = [conversation("A100", 5), conversation("B200", 1)]
    answer = text_in(http, "3")
    [(reply, workflow_id)] = hooks.delivered
    assert (workflow_id, reply.choice) == ("order-B200", 3)
    assert "<Message>" not in answer


def test_the_answer_to_which_one_may_reach_another_replica(
    store: Store, hooks: RecordingHooks
) -> None:
    """The question lives in the store: a second HTTP process routes the answer."""
    hooks.conversations = [conversation("A100", 5), conversation("B200", 1)]
    assert "which one" in text_in(inbound_service(store, hooks), "call me", sid="SM1")
    text_in(inbound_service(store, hooks), "2", sid="SM2")
    [(reply, workflow_id)] = hooks.delivered
    assert (workflow_id, reply.message_sid) == ("order-A100", "SM1")
