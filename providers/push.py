"""Push notifications through an HTTP push provider.

The interface is one call; :class:`HttpPush` speaks a plain JSON API with an idempotency
key (the sandbox implements it; a real provider adapter would take its place).
"""

from __future__ import annotations

from typing import Any, Protocol

import httpx

from config.settings import Settings
from providers.errors import ProviderError


class PushProvider(Protocol):
    async def send(
        self, token: str, title: str, body: str, data: dict[str, Any], idempotency_key: str
    ) -> str: ...


class HttpPush:
    def __init__(self, settings: Settings) -> None:
        self._url = settings.effective_push_endpoint_url
        key = settings.push_api_key.get_secret_value() or "herald-sandbox"
        self._client = httpx.AsyncClient(timeout=15, headers={"Authorization": f"Bearer {key}"})

    async def send(
        self, token: str, title: str, body: str, data: dict[str, Any], idempotency_key: str
    ) -> str:
        """Returns the provider's id; the idempotency key makes a repeat a no-op there."""
        payload = {
            "token": token,
            "title": title,
            "body": body,
            "data": data,
            "idempotency_key": idempotency_key,
        }
        try:
            response = await self._client.post(self._url, json=payload)
        except httpx.HTTPError as exc:
            raise ProviderError(
                f"push provider unreachable: {exc!r}", code=None, retryable=True
            ) from exc
        if response.status_code >= 400:
            retryable = response.status_code == 429 or response.status_code >= 500
            raise ProviderError(
                f"push provider answered {response.status_code}: {response.text[:200]}",
                code=f"push-{response.status_code}",
                retryable=retryable,
            )
        return str(response.json()["id"])

    async def close(self) -> None:
        await self._client.aclose()
