"""A local OpenAI-compatible chat completions endpoint that answers as a test tells it."""

from __future__ import annotations

import asyncio
from enum import StrEnum
from typing import Any

from fastapi import APIRouter, HTTPException, Request

PREFIX = "/stub-llm/v1"


class StubBehaviour(StrEnum):
    WELL = "well"  # a short, clean, branded SMS
    PROHIBITED = "prohibited"  # content the linter refuses
    TOO_LONG = "too_long"  # over the segment budget
    FAIL = "fail"  # HTTP 500
    HANG = "hang"  # never answers in time
    GARBAGE = "garbage"  # not a chat completion


class LanguageModelStub:
    def __init__(self) -> None:
        self.behaviour = StubBehaviour.WELL
        self.answer = "Herald Shop: your parcel is delayed. We will text you the new date."
        self.requests: list[dict[str, Any]] = []

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]

    def content(self) -> str:
        if self.behaviour is StubBehaviour.PROHIBITED:
            return "Herald Shop: you have won a free gift! Claim your prize at bit.ly/x"
        if self.behaviour is StubBehaviour.TOO_LONG:
            return "Herald Shop: " + "your parcel is running late. " * 20
        return self.answer


def create_stub_router(stub: LanguageModelStub) -> APIRouter:
    router = APIRouter(prefix=PREFIX)

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
                    "message": {"role": "assistant", "content": stub.content()},
                    "finish_reason": "stop",
                }
            ],
        }

    return router
