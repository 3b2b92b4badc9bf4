"""Vonage's and Plivo's inbound-message webhooks, beside Twilio's ``/twilio/inbound``.

Each checks the provider's signature with its SDK's validator (403 when wrong), reads the
text with the provider's adapter (400 when it is none) and hands it to the same handler as
Twilio's (api/inbound.py: consent keywords, conversations, "which one?"). The answer, if
any, goes back the provider's way: Plivo takes a ``<Message>`` in its XML answer; Vonage
takes no answer in the webhook, so the reply is sent through its SMS API.

A Vonage text longer than one SMS arrives as one webhook per part (``concat-ref``), in any
order: the parts wait in the store and the text is read once, whole, when its last part
comes (store/inbound_parts.py). A text still missing parts after
``vonage_inbound_parts_wait_seconds`` is read as it stands by a sweep that every replica
of the HTTP service runs (each text is taken by one of them).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, FastAPI, Request, Response
from plivo import plivoxml

from api.provider_reports import signed_request
from config.settings import Settings
from providers.errors import ProviderError
from providers.sms_provider import InboundSms, OutboundSms, SmsProvider
from store.inbound_parts import InboundPart, WholeText
from store.repository import Store

log = logging.getLogger(__name__)

Answer = Callable[[str, str, str], Awaitable[str | None]]


def add_provider_inbound_routes(
    router: APIRouter,
    settings: Settings,
    store: Store,
    providers: Mapping[str, SmsProvider],
    answer: Answer,
) -> None:
    wait = timedelta(seconds=settings.vonage_inbound_parts_wait_seconds)

    async def read(name: str, request: Request) -> InboundSms | Response:
        adapter = providers[name]
        signed = await signed_request(request, settings)
        if not adapter.signature_is_valid(signed):
            return Response(status_code=403, content=f"invalid {name} signature")
        try:
            return adapter.parse_inbound(signed)
        except ValueError as refused:
            return Response(status_code=400, content=str(refused))

    async def vonage_inbound(request: Request) -> Response:
        inbound = await read("vonage", request)
        if isinstance(inbound, Response):
            return inbound
        if inbound.parts <= 1 or inbound.concat_ref is None:
            await answer_vonage_text(inbound.from_, inbound.body, inbound.provider_message_id)
            return Response(status_code=204)
        part = InboundPart(
            provider="vonage",
            sender=inbound.from_,
            concat_ref=inbound.concat_ref,
            part=inbound.part,
            total=inbound.parts,
            provider_message_id=inbound.provider_message_id,
            body=inbound.body,
        )
        now = datetime.now(UTC)
        texts = await asyncio.to_thread(store.inbound_parts.add, part, now=now, wait=wait)
        for text in texts:  # usually none (parts still to come) or the whole text
            try:
                await answer_whole(text)
            except Exception:  # kept for Vonage's retry of this webhook (a 5xx)
                await asyncio.to_thread(store.inbound_parts.put_back, text, now=now)
                raise
        return Response(status_code=204)

    async def answer_vonage_text(sender: str, body: str, message_id: str) -> None:
        text = await answer(sender, body, message_id)
        if text:
            reply = OutboundSms(f"reply:{message_id}", sender, text)
            try:
                await providers["vonage"].send(reply)
            except ProviderError as error:  # answered 2xx all the same: no second handling
                log.warning("reply to a Vonage text not sent: %s", error)

    async def answer_whole(text: WholeText) -> None:
        if not text.complete:
            log.warning("Vonage text %s read without its missing parts", text.provider_message_id)
        await answer_vonage_text(text.sender, text.body, text.provider_message_id)

    async def sweep_stale_parts() -> None:
        """Every half wait: the texts whose missing parts never came, read as they stand."""
        while True:
            await asyncio.sleep(wait.total_seconds() / 2)
            await sweep_once()

    async def sweep_once() -> None:
        now = datetime.now(UTC)
        try:
            stale = await asyncio.to_thread(store.inbound_parts.take_stale, now=now, wait=wait)
        except Exception:  # the store away: the next sweep tries again
            log.exception("sweeping the parts of long Vonage texts failed")
            return
        for text in stale:
            try:
                await answer_whole(text)
            except Exception:  # Temporal away: the next sweep tries again
                log.exception("a long Vonage text could not be handled: kept for later")
                await asyncio.to_thread(store.inbound_parts.put_back, text, now=now)

    @contextlib.asynccontextmanager
    async def sweeping(_app: FastAPI) -> AsyncIterator[None]:
        sweep = asyncio.create_task(sweep_stale_parts())
        try:
            yield
        finally:
            sweep.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweep

    async def plivo_inbound(request: Request) -> Response:
        inbound = await read("plivo", request)
        if isinstance(inbound, Response):
            return inbound
        text = await answer(inbound.from_, inbound.body, inbound.provider_message_id)
        answer_xml = plivoxml.ResponseElement()
        if text:
            answer_xml.add_message(
                text, src=inbound.to.lstrip("+"), dst=inbound.from_.lstrip("+"), type="sms"
            )
        return Response(answer_xml.to_string(pretty=False), media_type="application/xml")

    if "vonage" in providers:
        router.add_route("/vonage/inbound", vonage_inbound, methods=["GET", "POST"])
        router.include_router(APIRouter(lifespan=sweeping))  # the app runs its lifespan
    if "plivo" in providers:
        router.add_route("/plivo/inbound", plivo_inbound, methods=["POST"])
