"""The intake's dead letters over HTTP, beside ``herald intake dlq``: listed most urgent
first, shown with their payload, replayed after a fix, discarded; and ``/intake/status``,
each source's health. They hold customer data, so every route asks for the service's
credential."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query

from api.auth import require_credential
from config.settings import Settings
from intake.dispatcher import Dispatcher
from intake.health import error_rates, status_report
from intake.replay import replay
from store.dead_letters import DeadLetterSummary
from store.repository import Store

LETTERS = "/intake/dead-letters"
# Ids are the store's 64-bit integers: a larger one is a 422, not a 500 from the driver.
LetterId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def create_dead_letters_router(
    settings: Settings, store: Store, dispatcher: Dispatcher
) -> APIRouter:
    router = APIRouter(dependencies=[Depends(require_credential(settings))])

    @router.get(LETTERS)
    async def list_dead_letters(
        include_closed: bool = False, limit: Annotated[int, Query(ge=1, le=1000)] = 50
    ) -> list[dict[str, object]]:
        def ranked() -> list[DeadLetterSummary]:
            rates = error_rates(store, datetime.now(UTC))
            return store.dead_letters.list(limit, include_closed, rates)

        letters = await asyncio.to_thread(ranked)
        return [letter.as_json() for letter in letters]

    @router.get(LETTERS + "/{letter_id}")
    async def show_dead_letter(letter_id: LetterId) -> dict[str, object]:
        letter = await asyncio.to_thread(store.dead_letters.get, letter_id)
        if letter is None:
            raise HTTPException(404, f"no dead letter {letter_id}")
        return {**letter.as_json(), "payload": letter.payload.decode(errors="replace")}

    @router.post(LETTERS + "/{letter_id}/replay")
    async def replay_dead_letter(letter_id: LetterId) -> dict[str, object]:
        try:
            outcome = await asyncio.to_thread(replay, store, letter_id, datetime.now(UTC), settings)
        except LookupError as missing:
            raise HTTPException(404, str(missing)) from missing
        if outcome.refused is not None:
            raise HTTPException(422, f"still cannot be notified: {outcome.refused}")
        dispatcher.wake()
        return {"accepted": outcome.accepted}

    @router.post(LETTERS + "/{letter_id}/discard")
    async def discard_dead_letter(letter_id: LetterId) -> dict[str, object]:
        closed = await asyncio.to_thread(store.dead_letters.discard, letter_id, datetime.now(UTC))
        if not closed:
            raise HTTPException(404, f"no open dead letter {letter_id}")
        return {"discarded": letter_id}

    @router.get("/intake/status")
    async def intake_status() -> dict[str, object]:
        """The backlog and each source's health (intake/health.py)."""
        return await asyncio.to_thread(status_report, store, datetime.now(UTC))

    return router
