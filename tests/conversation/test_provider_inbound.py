"""Vonage's and Plivo's inbound webhooks: signed by each provider, read by its adapter,
handled like Twilio's; the answer goes back the provider's way."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from vonage_http_client import Auth

from api.inbound import create_inbound_router
from config.conversation import ConversationSettings
from config.settings import Settings
from conversation.dialogue import CustomerReply
from conversation.routing import ActiveConversation
from providers.plivo_provider import PlivoProvider
from providers.sms_provider import OutboundSms, SentSms
from providers.vonage_provider import VonageProvider
from sandbox.plivo_api import PlivoSandbox
from store.repository import Store
from tests.conversation.test_inbound import (
    BRAND,
    NOW,
    PHONE,
    SETTINGS,
    RecordingHooks,
    conversation,
)


class RecordingVonage(VonageProvider):
    """The real adapter for signatures and reading; its sends are kept, not made."""

    def __init__(self) -> None:
        super().__init__(SETTINGS)
        self.sent: list[OutboundSms] = []

    async def send(self, sms: OutboundSms) -> SentSms:
        self.sent.append(sms)
        return SentSms("vonage", "reply-1", ("reply-1",))


@pytest.fixture
def hooks() -> RecordingHooks:
    return RecordingHooks()


@pytest.fixture
def vonage() -> RecordingVonage:
    return RecordingVonage()


@pytest.fixture
def service(store: Store, hooks: RecordingHooks, vonage: RecordingVonage) -> TestClient:
    return TestClient(inbound_app(store, hooks, vonage))


def inbound_app(
    store: Store, hooks: RecordingHooks, vonage: RecordingVonage, settings: Settings = SETTINGS
) -> FastAPI:
    app = FastAPI()
    app.include_router(
        create_inbound_router(
            settings,
            store,
            hooks=hooks.hooks(),
            conversation_settings=ConversationSettings(_env_file=None),  # type: ignore[call-arg]
            brand=BRAND,
            clock=lambda: NOW,
            providers={"vonage": vonage, "plivo": PlivoProvider(settings)},
        )
    )
    return app


def vonage_text(text: str, **extra: str) -> dict[str, str]:
    key, _secret, signature_secret = SETTINGS.effective_vonage_credentials
    params = {
        "msisdn": PHONE.lstrip("+"),
        "to": "18005550100",
        "messageId": str(uuid.uuid4()),
        "text": text,
        "type": "text",
        "timestamp": str(int(time.time())),
        "nonce": str(uuid.uuid4()),
        **extra,
    }
    signer = Auth(api_key=key, signature_secret=signature_secret, signature_method="sha256")
    params["sig"] = signer.sign_params(dict(params))
    return params


def plivo_post(service: TestClient, text: str, *, forge: bool = False) -> object:
    url = SETTINGS.effective_public_base_url + "/plivo/inbound"
    form = {
        "From": PHONE.lstrip("+"),
        "To": "15005550007",
        "Text": text,
        "MessageUUID": str(uuid.uuid4()),
    }
    auth_id, token = SETTINGS.effective_plivo_credentials
    headers = PlivoSandbox(auth_id=auth_id, auth_token=token).signature_headers(url, form)
    sent = dict(form, Text="START") if forge else form
    return service.post("/plivo/inbound", data=sent, headers=headers)


def test_a_vonage_stop_opts_out_and_is_confirmed_through_vonage(
    service: TestClient, store: Store, vonage: RecordingVonage
) -> None:
    assert service.post("/vonage/inbound", json=vonage_text("STOP")).status_code == 204
    assert store.consent.is_opted_out(PHONE)
    [reply] = vonage.sent
    assert reply.to == PHONE and reply.reference.startswith("reply:")


def test_a_vonage_reply_reaches_its_conversation(
    service: TestClient, hooks: RecordingHooks
) -> None:
    hooks.conversations = [conversation("A1", hours_ago=1)]
    assert (
        service.get("/vonage/inbound", params=vonage_text("Please reschedule")).status_code == 204
    )
    [(reply, workflow_id)] = hooks.delivered
    assert workflow_id == "order-A1" and reply.text == "Please reschedule"


def long_text(ref: str, *pieces: str) -> list[dict[str, str]]:
    """The webhooks of one long Vonage text, one per part."""
    total = str(len(pieces))
    return [
        vonage_text(piece, **{"concat-ref": ref, "concat-total": total, "concat-part": str(n)})
        for n, piece in enumerate(pieces, start=1)
    ]


def test_a_long_vonage_text_is_read_once_whole_whatever_order_its_parts_come_in(
    service: TestClient, hooks: RecordingHooks
) -> None:
    hooks.conversations = [conversation("A1", hours_ago=1)]
    first, second, third = long_text("7", "Please resched", "ule my delivery to ", "Friday")
    for webhook in (third, first, first, second, third):  # out of order, two retried
        assert service.post("/vonage/inbound", json=webhook).status_code == 204
    [(reply, workflow_id)] = hooks.delivered
    assert reply.text == "Please reschedule my delivery to Friday"
    assert workflow_id == "order-A1" and reply.message_sid == first["messageId"]


def test_a_stop_in_a_long_vonage_text_opts_out_once_the_text_is_whole(
    service: TestClient, store: Store, vonage: RecordingVonage
) -> None:
    opening, rest = long_text("9", "STOP", "")
    assert service.post("/vonage/inbound", json=opening).status_code == 204
    assert not store.consent.is_opted_out(PHONE)  # half a text is not read yet
    assert service.post("/vonage/inbound", json=rest).status_code == 204
    assert store.consent.is_opted_out(PHONE) and len(vonage.sent) == 1


def test_a_long_vonage_text_missing_a_part_is_read_as_it_stands_by_the_sweep(
    store: Store, hooks: RecordingHooks, vonage: RecordingVonage
) -> None:
    """The sweep runs in the app's lifespan, every half wait (here 0.2 s of 0.4 s)."""
    hooks.conversations = [conversation("A1", hours_ago=1)]
    settings = SETTINGS.model_copy(update={"vonage_inbound_parts_wait_seconds": 0.4})
    opening, _lost = long_text("11", "Call me please ", "after five")
    with TestClient(inbound_app(store, hooks, vonage, settings)) as service:
        assert service.post("/vonage/inbound", json=opening).status_code == 204
        assert hooks.delivered == []
        deadline = time.monotonic() + 10
        while not hooks.delivered and time.monotonic() < deadline:
            time.sleep(0.05)
    [(reply, _workflow)] = hooks.delivered
    assert reply.text == "Call me please "


@dataclass
class TemporalAwayHooks(RecordingHooks):
    away: bool = False

    async def deliver(self, reply: CustomerReply, to: ActiveConversation) -> str | None:
        if self.away:
            raise RuntimeError("Temporal unreachable")
        return await super().deliver(reply, to)


def test_a_long_vonage_text_that_cannot_be_handled_waits_for_vonages_retry(
    store: Store, vonage: RecordingVonage
) -> None:
    """Temporal away: the webhook answers 5xx and the parts are put back, so Vonage's
    retry of the webhook reads the whole text; nothing is lost or read twice."""
    hooks = TemporalAwayHooks(conversations=[conversation("A1", hours_ago=1)])
    service = TestClient(inbound_app(store, hooks, vonage), raise_server_exceptions=False)
    first, second = long_text("12", "Where is my ", "parcel?")
    assert service.post("/vonage/inbound", json=first).status_code == 204
    hooks.away = True
    assert service.post("/vonage/inbound", json=second).status_code == 500
    hooks.away = False
    assert service.post("/vonage/inbound", json=second).status_code == 204  # the retry
    [(reply, _workflow)] = hooks.delivered
    assert reply.text == "Where is my parcel?"


def test_forged_vonage_and_plivo_texts_are_refused(
    service: TestClient, store: Store, vonage: RecordingVonage
) -> None:
    forged = dict(vonage_text("START"), text="STOP")
    assert service.post("/vonage/inbound", json=forged).status_code == 403
    assert plivo_post(service, "STOP", forge=True).status_code == 403  # type: ignore[attr-defined]
    assert not store.consent.is_opted_out(PHONE) and vonage.sent == []


def test_a_plivo_stop_is_confirmed_in_plivo_xml(service: TestClient, store: Store) -> None:
    response = plivo_post(service, "STOP")
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("application/xml")  # type: ignore[attr-defined]
    assert '<Message src="15005550007" dst="' + PHONE.lstrip("+") + '" type="sms">' in response.text  # type: ignore[attr-defined]
    assert store.consent.is_opted_out(PHONE)
