"""Vonage's and Plivo's inbound webhooks: signed by each provider, read by its adapter,
handled like Twilio's; the answer goes back the provider's way."""

from __future__ import annotations

import time
import uuid

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from vonage_http_client import Auth

from api.inbound import create_inbound_router
from config.conversation import ConversationSettings
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
    app = FastAPI()
    app.include_router(
        create_inbound_router(
            SETTINGS,
            store,
            hooks=hooks.hooks(),
            conversation_settings=ConversationSettings(_env_file=None),  # type: ignore[call-arg]
            brand=BRAND,
            clock=lambda: NOW,
            providers={"vonage": vonage, "plivo": PlivoProvider(SETTINGS)},
        )
    )
    return TestClient(app)


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


def test_the_later_parts_of_a_long_vonage_text_are_acknowledged_only(
    service: TestClient, hooks: RecordingHooks
) -> None:
    hooks.conversations = [conversation("A1", hours_ago=1)]
    later = vonage_text(
        "rest of it", **{"concat-ref": "7", "concat-total": "2", "concat-part": "2"}
    )
    assert service.post("/vonage/inbound", json=later).status_code == 204
    assert hooks.delivered == []


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
