"""An OpenAI-compatible chat completions client (``POST {base}/chat/completions``).

Works with a hosted API or a local server; off unless settings turn it on. Every failure
(unreachable, HTTP error, timeout, an answer of the wrong shape) is one
:class:`LanguageModelError`: callers fall back to a fixed text, they never retry here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Self

import httpx

from config.conversation import ConversationSettings
from providers.json_api import JsonApiClient


class LanguageModelError(Exception):
    """No usable answer from the model."""


class ChatCompletions(JsonApiClient):
    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str = "",
        timeout_seconds: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(
            base_url, api_key=api_key, timeout_seconds=timeout_seconds, transport=transport
        )
        self.model = model
        self._timeout_seconds = timeout_seconds

    @classmethod
    def from_settings(cls, settings: ConversationSettings) -> Self | None:
        """The configured client, or None while the language model is off."""
        if not settings.language_model_active:
            return None
        return cls(
            settings.language_model_base_url,
            settings.language_model_name,
            api_key=settings.language_model_api_key.get_secret_value(),
            timeout_seconds=settings.language_model_timeout_seconds,
        )

    async def complete(
        self,
        messages: Sequence[dict[str, str]],
        *,
        max_tokens: int = 150,
        temperature: float = 0.2,
    ) -> str:
        """The assistant's answer to ``messages``, within the timeout as a whole."""
        payload = {
            "model": self.model,
            "messages": list(messages),
            "max_tokens": max_tokens,
            "temperature": temperature,
            "n": 1,
        }
        try:
            # httpx times each read; a server that trickles bytes must not hold a send.
            async with asyncio.timeout(self._timeout_seconds):
                response = await self._http.post("/chat/completions", json=payload)
        except (httpx.HTTPError, TimeoutError) as exc:
            raise LanguageModelError(f"language model unavailable: {exc!r}") from exc
        if response.status_code >= 400:
            raise LanguageModelError(f"language model answered {response.status_code}")
        try:
            content = response.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise LanguageModelError(f"not a chat completion: {exc!r}") from exc
        if not isinstance(content, str) or not content.strip():
            raise LanguageModelError("empty answer")
        return content
