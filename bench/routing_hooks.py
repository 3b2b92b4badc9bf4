"""The benchmark's webhook endpoint: each provider's delivery reports, checked with the
provider's own signature validator, parsed by its adapter and folded per message (parts
included) until the message's outcome is final."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request, Response

from providers.delivery_parts import MessageParts
from providers.sms_provider import SentSms, SignedRequest, SmsProvider


@dataclass
class Tracked:
    parts: MessageParts
    final: asyncio.Future[MessageParts]
    delivered_reports: int = 0  # every part delivered, as the provider reported it


@dataclass
class ReportDesk:
    base_url: str
    providers: Mapping[str, SmsProvider]
    by_part: dict[str, Tracked] = field(default_factory=dict)
    forged: int = 0
    unmatched: int = 0

    def url_for(self, provider: str) -> str:
        return f"{self.base_url}/hooks/{provider}"

    def track(self, sent: SentSms) -> Tracked:
        tracked = Tracked(
            MessageParts.expecting(sent.part_ids), asyncio.get_running_loop().create_future()
        )
        for part in sent.part_ids:
            self.by_part[part] = tracked
        return tracked

    async def receive(self, provider: str, request: Request) -> Response:
        body = (await request.body()).decode()
        if request.headers.get("content-type", "").startswith("application/json"):
            params = {k: str(v) for k, v in json.loads(body or "{}").items()}
        else:
            params = dict(parse_qsl(body, keep_blank_values=True))
        adapter = self.providers[provider]
        signed = SignedRequest(self.url_for(provider), "POST", params, dict(request.headers))
        if not adapter.signature_is_valid(signed):
            self.forged += 1
            return Response(status_code=403)
        report = adapter.parse_delivery_report(signed)
        tracked = self.by_part.get(report.message_id)
        if tracked is None:
            self.unmatched += 1
            return Response(status_code=204)
        was_final = tracked.parts.final
        tracked.parts = tracked.parts.with_report(report)
        if tracked.parts.final and not was_final:
            if tracked.parts.status == "delivered":
                tracked.delivered_reports += 1
            if not tracked.final.done():
                tracked.final.set_result(tracked.parts)
        return Response(status_code=204)


def create_hooks_app(desk: ReportDesk) -> FastAPI:
    app = FastAPI(title="routing benchmark webhooks")

    @app.post("/hooks/{provider}")
    async def hook(provider: str, request: Request) -> Response:
        return await desk.receive(provider, request)

    return app
