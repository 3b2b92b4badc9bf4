"""Wires the SMS providers' stand-ins (Twilio, Vonage, Plivo), EasyPost's Trackers API,
the push sink and the SMTP sink into one FastAPI app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from config.settings import Settings, get_settings
from sandbox.easypost_api import EasyPostSandbox, create_easypost_router
from sandbox.language_model import (
    LanguageModelStub,
    create_stub_control_router,
    create_stub_router,
)
from sandbox.oms import SandboxOms, create_oms_router
from sandbox.plivo_api import PlivoSandbox, create_plivo_router
from sandbox.push_sink import PushSink, create_push_router
from sandbox.rules import DestinationRule, RuleBook
from sandbox.smtp_sink import DEFAULT_MAX_EMAILS, EmailSink, create_email_router
from sandbox.support import SandboxSupport, create_support_router
from sandbox.twilio_api import (
    MESSAGING_SERVICE_SENDER,
    SANDBOX_MESSAGING_SERVICE,
    TwilioSandbox,
    create_twilio_router,
)
from sandbox.twilio_refusals import AccountSenders
from sandbox.vonage_api import VonageSandbox, create_vonage_router
from sandbox.world import ProviderWorld


def create_sandbox_app(
    settings: Settings | None = None,
    *,
    rules: Iterable[DestinationRule] | None = None,
    seed: int = 0,
    push_rules: Iterable[DestinationRule] | None = None,
    push_api_key: str | None = None,
    max_emails: int = DEFAULT_MAX_EMAILS,
) -> FastAPI:
    """Build the sandbox. ``rules``/``push_rules`` are also what ``DELETE /sandbox/messages``
    restores; ``push_api_key`` set means only that bearer key is accepted by ``/push/send``.

    The SMTP sink listens on ``settings.sandbox_smtp_port`` while the app's lifespan runs
    (0: no SMTP). The components are on ``app.state`` (``twilio``, ``push``, ``email``) for
    in-process inspection.
    """
    settings = settings or get_settings()
    twilio = TwilioSandbox(
        # The same "effective" credentials Herald uses, so Herald and the sandbox agree
        # whether or not real-looking credentials are configured.
        account_sid=settings.effective_twilio_account_sid,
        auth_token=settings.effective_twilio_auth_token,
        rules=RuleBook(rules or (), seed=seed),
        callback_delay_seconds=settings.sandbox_callback_delay_seconds,
        senders=AccountSenders.of(
            [
                MESSAGING_SERVICE_SENDER,
                SANDBOX_MESSAGING_SERVICE,
                settings.sms_sender,
                *settings.sandbox_account_senders.split(","),
            ]
        ),
        trial=settings.sandbox_trial_account,
    )
    vonage_key, vonage_secret, vonage_signature = settings.effective_vonage_credentials
    vonage = VonageSandbox(
        api_key=vonage_key,
        api_secret=vonage_secret,
        signature_secret=vonage_signature,
        signature_method=settings.vonage_signature_method,
        world=ProviderWorld(seed=seed),
    )
    plivo_id, plivo_token = settings.effective_plivo_credentials
    plivo = PlivoSandbox(auth_id=plivo_id, auth_token=plivo_token, world=ProviderWorld(seed=seed))
    easypost = EasyPostSandbox(api_key=settings.effective_easypost_api_key)
    push = PushSink(RuleBook(push_rules or (), seed=seed), required_key=push_api_key)
    email = EmailSink(max_emails=max_emails)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await twilio.start()
        try:
            if settings.sandbox_smtp_port:
                await email.start(settings.sandbox_host, settings.sandbox_smtp_port)
            yield
        finally:
            await email.stop()
            await twilio.stop()
            await vonage.webhooks.stop()
            await plivo.webhooks.stop()
            await easypost.sender.stop()

    app = FastAPI(title="Herald sandbox", lifespan=lifespan)
    app.state.twilio = twilio
    app.state.vonage, app.state.plivo = vonage, plivo
    app.state.easypost = easypost
    app.state.push = push
    app.state.email = email
    oms, support = SandboxOms(), SandboxSupport()
    app.state.oms, app.state.support = oms, support
    language_model = LanguageModelStub(answer=None)  # written from the facts it is given
    app.state.language_model = language_model
    app.include_router(create_twilio_router(twilio))
    app.include_router(create_vonage_router(vonage))
    app.include_router(create_plivo_router(plivo))
    app.include_router(create_easypost_router(easypost))
    app.include_router(create_oms_router(oms))
    app.include_router(create_support_router(support))
    app.include_router(create_stub_router(language_model))
    app.include_router(create_stub_control_router(language_model))
    app.include_router(create_push_router(push))
    app.include_router(create_email_router(email))

    @app.delete("/sandbox/messages")
    async def reset() -> dict[str, Any]:
        """Forget messages, e-mails and pushes; rules go back to those the app started with."""
        await twilio.reset()
        await vonage.reset()
        await plivo.reset()
        await easypost.reset()
        push.reset()
        email.reset()
        oms.reset()
        support.reset()
        language_model.reset()
        twilio.rules.reset()
        push.rules.reset()
        return {"reset": True}

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "smtp_port": email.port}

    return app
