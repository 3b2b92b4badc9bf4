"""A local OpenAI-compatible chat completions endpoint that answers as it is told.

``POST /sandbox/llm/v1/chat/completions`` answers like a model; ``PUT /sandbox/llm/behaviour``
``{"behaviour": "fail", "answer": null}`` changes how (well, prohibited, too_long, fail,
hang, garbage); ``GET /sandbox/llm/requests`` lists what was asked. Point
``HERALD_LANGUAGE_MODEL_BASE_URL`` at ``{sandbox}/sandbox/llm/v1`` to use it.
"""

from __future__ import annotations

import asyncio
import json
from enum import StrEnum
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel

PREFIX = "/sandbox/llm/v1"
CONTROL = "/sandbox/llm"


class StubBehaviour(StrEnum):
    WELL = "well"  # a short, clean, branded SMS
    PROHIBITED = "prohibited"  # content the linter refuses
    TOO_LONG = "too_long"  # over the segment budget
    FAIL = "fail"  # HTTP 500
    HANG = "hang"  # never answers in time
    GARBAGE = "garbage"  # not a chat completion


class StubSetting(BaseModel):
    behaviour: StubBehaviour = StubBehaviour.WELL
    answer: str | None = None  # WELL: this text; None: written from the facts asked about


FIXED_ANSWER = "Herald Shop: your parcel is delayed. We will text you the new date."


class LanguageModelStub:
    def __init__(self, answer: str | None = FIXED_ANSWER) -> None:
        self._default_answer = answer
        self.behaviour = StubBehaviour.WELL
        self.answer = answer
        self.requests: list[dict[str, Any]] = []

    def reset(self) -> None:
        self.behaviour, self.answer = StubBehaviour.WELL, self._default_answer
        self.requests.clear()

    def content(self, body: dict[str, Any]) -> str:
        if self.behaviour is StubBehaviour.PROHIBITED:
            return "Herald Shop: you have won a free gift! Claim your prize at bit.ly/x"
        if self.behaviour is StubBehaviour.TOO_LONG:
            return "Herald Shop: " + "your parcel is running late. " * 20
        return self.answer if self.answer is not None else _from_facts(body)


def _from_facts(body: dict[str, Any]) -> str:
    """A plain answer from the facts in the user message (as a real model would use them)."""
    try:
        facts = json.loads(body["messages"][-1]["content"])
    except (KeyError, IndexError, TypeError, ValueError):
        facts = {}
    brand, name = facts.get("brand", "Herald"), facts.get("customer_first_name", "there")
    reference = facts.get("reference", "your order")
    return (
        f"{brand}: sorry {name}, order {reference} is running late. "
        "We will text you as soon as it moves again."
    )


def create_stub_router(stub: LanguageModelStub) -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["sandbox language model"])

    @router.post("/chat/completions")
    async def chat_completions(request: Request) -> dict[str, Any]:
        body = await request.json()
        stub.requests.append({"body": body, "authorization": request.headers.get("authorization")})
        if stub.behaviour is StubBehaviour.FAIL:
            raise HTTPException(500, "model crashed")
        if stub.behaviour is StubBehaviour.HANG:
            await asyncio.sleep(2)  # far past the tests' timeouts, short for shutdown
        if stub.behaviour is StubBehaviour.GARBAGE:
            return {"unexpected": True}
        return {
            "id": "chatcmpl-stub",
            "object": "chat.completion",
            "model": body.get("model", "stub"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": stub.content(body)},
                    "finish_reason": "stop",
                }
            ],
        }

    return router


def create_stub_control_router(stub: LanguageModelStub) -> APIRouter:
    router = APIRouter(prefix=CONTROL, tags=["sandbox language model"])

    @router.put("/behaviour")
    async def set_behaviour(setting: StubSetting) -> StubSetting:
        stub.behaviour, stub.answer = setting.behaviour, setting.answer
        return setting

    @router.get("/requests")
    async def requests() -> dict[str, Any]:
        return {"requests": stub.requests}

    return router
