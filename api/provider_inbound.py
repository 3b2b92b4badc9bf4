"""Vonage's and Plivo's inbound-message webhooks, beside Twilio's ``/twilio/inbound``.

Each checks the provider's signature with its SDK's validator (403 when wrong), reads the
text with the provider's adapter (400 when it is none) and hands it to the same handler as
Twilio's (api/inbound.py: consent keywords, conversations, "which one?"). The answer, if
any, goes back the provider's way: Plivo takes a ``<Message>`` in its XML answer; Vonage
takes no answer in the webhook, so the reply is sent through its SMS API.

A Vonage text longer than one SMS arrives as one webhook per part (``concat-ref``); only
the first part is read (a keyword or a reply's opening), the others are acknowledged.
Assembling the parts in the store is left to do (docs/routing.md).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from fastapi import APIRouter, Request, Response
from plivo import plivoxml

from api.provider_reports import signed_request
from config.settings import Settings
from providers.errors import ProviderError
from providers.sms_provider import InboundSms, OutboundSms, SmsProvider

log = logging.getLogger(__name__)

Answer = Callable[[str, str, str], Awaitable[str | None]]


def add_provider_inbound_routes(
    router: APIRouter, settings: Settings, providers: Mapping[str, SmsProvider], answer: Answer
) -> None:
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
        if inbound.part > 1:  # the rest of a long text: its first part was read
            return Response(status_code=204)
        text = await answer(inbound.from_, inbound.body, inbound.provider_message_id)
        if text:
            reply = OutboundSms(f"reply:{inbound.provider_message_id}", inbound.from_, text)
            try:
                await providers["vonage"].send(reply)
            except ProviderError as error:  # answered 2xx all the same: no second handling
                log.warning("reply to a Vonage text not sent: %s", error)
        return Response(status_code=204)

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
    if "plivo" in providers:
        router.add_route("/plivo/inbound", plivo_inbound, methods=["POST"])
