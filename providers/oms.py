"""The OMS (or carrier) delivery-slot API that Reschedule calls, over HTTP JSON.

- ``GET {base}/orders/{reference}/delivery-slots`` -> ``{"slots": [{"id", "start", "end"}]}``
- ``POST {base}/orders/{reference}/reschedule`` ``{"slot_id"}`` -> ``{"confirmation_id",
  "slot"}``, with an ``Idempotency-Key`` header so a retried activity books once.

Errors are typed: :class:`OmsError` carries ``retryable`` (outages, 429, timeouts) like
every provider error; :class:`OrderNotFound` and :class:`SlotUnavailable` never are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Self, TypeVar
from urllib.parse import quote

import httpx
from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from config.conversation import ConversationSettings
from providers.errors import ProviderError
from providers.json_api import JsonApiClient


class DeliverySlot(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    start: AwareDatetime
    end: AwareDatetime


class RescheduleConfirmation(BaseModel):
    model_config = ConfigDict(frozen=True)

    confirmation_id: str
    slot: DeliverySlot


class OmsError(ProviderError):
    """The OMS did not answer as asked; ``retryable`` says whether trying later can help."""


class OrderNotFound(OmsError):
    def __init__(self, reference: str) -> None:
        super().__init__(
            f"the OMS knows no order {reference!r}",
            code="oms-404",
            retryable=False,
            http_status=404,
        )


class SlotUnavailable(OmsError):
    def __init__(self, slot_id: str, detail: str) -> None:
        super().__init__(
            f"slot {slot_id!r} cannot be booked: {detail}",
            code="oms-slot-unavailable",
            retryable=False,
            http_status=409,
        )


class OmsClient(JsonApiClient):
    @classmethod
    def from_settings(cls, settings: ConversationSettings) -> Self:
        return cls(
            settings.effective_oms_base_url,
            api_key=settings.oms_api_key.get_secret_value(),
            timeout_seconds=settings.oms_timeout_seconds,
        )

    async def delivery_slots(self, reference: str) -> list[DeliverySlot]:
        """The slots the order can still be delivered in, earliest first."""
        body = await self._call("GET", f"/orders/{quote(reference, safe='')}/delivery-slots")
        slots = _parse(lambda: [DeliverySlot.model_validate(s) for s in body["slots"]])
        return sorted(slots, key=lambda slot: slot.start)

    async def reschedule(
        self, reference: str, slot_id: str, *, idempotency_key: str
    ) -> RescheduleConfirmation:
        """Book ``slot_id``; the same ``idempotency_key`` again returns the same booking."""
        try:
            body = await self._call(
                "POST",
                f"/orders/{quote(reference, safe='')}/reschedule",
                json={"slot_id": slot_id},
                headers={"Idempotency-Key": idempotency_key},
            )
        except OmsError as error:
            if error.http_status in (409, 422):
                raise SlotUnavailable(slot_id, str(error)) from error
            raise
        return _parse(lambda: RescheduleConfirmation.model_validate(body))

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:  # connection refused, timeout...
            raise OmsError(f"OMS unreachable: {exc!r}", code=None, retryable=True) from exc
        if response.status_code == 404:
            raise OrderNotFound(path.split("/")[2])
        if response.status_code >= 400:
            raise _http_error(response)
        return _parse(response.json)


_RETRYABLE_STATUSES: Iterable[int] = (408, 425, 429)
T = TypeVar("T")


def _http_error(response: httpx.Response) -> OmsError:
    status = response.status_code
    retry_after = response.headers.get("Retry-After", "")
    return OmsError(
        f"OMS answered {status}: {response.text[:200]}",
        code=f"oms-{status}",
        retryable=status >= 500 or status in _RETRYABLE_STATUSES,
        retry_after_seconds=float(retry_after) if retry_after.isdigit() else None,
        http_status=status,
    )


def _parse(read: Callable[[], T]) -> T:
    try:
        return read()
    except (ValueError, KeyError, TypeError, ValidationError) as exc:
        # An answer of the wrong shape will not change its shape on a retry.
        raise OmsError(
            f"unexpected OMS answer: {exc}", code="oms-bad-answer", retryable=False
        ) from exc
