"""``GET /t/open/<token>.gif``: the open-tracking pixel of an e-mail (reporting/open_tracking.py).

Always the same transparent image, whatever the token: a forged or repeated one changes
nothing and tells the caller nothing. A genuine token marks its message opened once.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import APIRouter, Response

from config.settings import Settings
from observability import reports as observe
from reporting.open_tracking import PIXEL_GIF, PIXEL_PATH, message_key_of
from store.repository import Store

NO_CACHE = {"Cache-Control": "no-store, private", "Pragma": "no-cache"}


def create_open_router(settings: Settings, store: Store) -> APIRouter:
    router = APIRouter()

    @router.get(PIXEL_PATH + "/{token}")
    async def opened(token: str) -> Response:
        message_key = message_key_of(token, settings)
        if message_key is None:
            observe.webhook("email_open", "refused_signature")
        else:
            milestone = await asyncio.to_thread(
                store.message_facts.record_open, message_key, datetime.now(UTC)
            )
            if milestone is not None:
                observe.email_opened(milestone)
            observe.webhook(
                "email_open", "accepted" if milestone else "ignored", message_key=message_key
            )
        return Response(content=PIXEL_GIF, media_type="image/gif", headers=NO_CACHE)

    return router
