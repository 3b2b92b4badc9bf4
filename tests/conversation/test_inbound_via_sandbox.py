"""The whole local path: the sandbox texts "from a phone", signs the webhook like Twilio,
and Herald's inbound route (served by uvicorn) answers with TwiML."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from api.inbound import INBOUND_PATH, create_inbound_router
from config.conversation import ConversationSettings
from config.settings import Settings
from sandbox.app import create_sandbox_app
from store.consent import SmsConsent
from store.database import make_session_factory
from store.repository import Store
from tests.conversation.conftest import HOST, free_port, serve
from tests.conversation.test_inbound import BRAND, PHONE, RecordingHooks


@pytest.fixture
def settings_and_servers(store: Store) -> Iterator[tuple[Settings, RecordingHooks]]:
    herald_port = free_port()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        twilio_account_sid="",
        twilio_auth_token="",
        sandbox_host=HOST,
        sandbox_port=free_port(),
        sandbox_smtp_port=0,
        http_host=HOST,
        http_port=herald_port,
    )
    hooks = RecordingHooks()
    herald = FastAPI()
    herald.include_router(
        create_inbound_router(
            settings,
            store,
            hooks=hooks.hooks(),
            conversation_settings=ConversationSettings(_env_file=None),  # type: ignore[call-arg]
            brand=BRAND,
        )
    )
    started = [
        serve(herald, port=herald_port),
        serve(create_sandbox_app(settings), port=settings.sandbox_port),
    ]
    try:
        yield settings, hooks
    finally:
        for _, server, thread in started:
            server.should_exit = True
            thread.join(timeout=10)


async def text_from_phone(settings: Settings, body: str) -> dict[str, object]:
    async with httpx.AsyncClient(base_url=settings.sandbox_base_url, timeout=10) as sandbox:
        response = await sandbox.post(
            "/sandbox/inbound",
            json={
                "from": PHONE,
                "to": settings.sms_sender,
                "body": body,
                "webhook_url": settings.effective_public_base_url + INBOUND_PATH,
            },
        )
    response.raise_for_status()
    result: dict[str, object] = response.json()
    return result


async def test_stop_from_the_sandbox_opts_out(
    settings_and_servers: tuple[Settings, RecordingHooks], store: Store
) -> None:
    settings, _ = settings_and_servers
    result = await text_from_phone(settings, "STOP")
    assert result["status_code"] == 200
    assert "you are unsubscribed" in str(result["response_body"])
    assert SmsConsent(make_session_factory(store.engine)).is_opted_out(PHONE)


async def test_a_reply_with_no_conversation_is_answered_and_recorded(
    settings_and_servers: tuple[Settings, RecordingHooks],
) -> None:
    settings, hooks = settings_and_servers
    result = await text_from_phone(settings, "Reschedule please")
    assert result["status_code"] == 200
    assert "no recent order or return" in str(result["response_body"])
    [recorded] = hooks.unrouted
    assert recorded.message_sid == result["message_sid"]
