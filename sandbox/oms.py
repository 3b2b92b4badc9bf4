"""A stand-in OMS for dev and tests: delivery slots and reschedule bookings.

Slots are deterministic relative to today (UTC): the next three days, morning and
afternoon, ids like ``2026-11-21-am``. Bookings are recorded and listed at
``GET /sandbox/oms/bookings``; references starting with ``missing`` are unknown orders
(404), and ``POST /sandbox/oms/failures`` makes the next calls fail to exercise retries.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Header, HTTPException
from pydantic import BaseModel, Field

PREFIX = "/sandbox/oms"
_WINDOWS = (("am", time(9), time(12)), ("pm", time(14), time(18)))
DAYS_OFFERED = 3


class RescheduleRequest(BaseModel):
    slot_id: str = Field(min_length=1, max_length=100)


class InjectedFailures(BaseModel):
    status: int = Field(default=503, ge=400, le=599)
    times: int = Field(default=1, ge=0)


class SandboxOms:
    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))
        self.bookings: list[dict[str, Any]] = []
        self._by_key: dict[str, dict[str, Any]] = {}
        self.failures = InjectedFailures(times=0)

    def slots(self) -> list[dict[str, str]]:
        today = self._clock().astimezone(UTC).date()
        slots = []
        for offset in range(1, DAYS_OFFERED + 1):
            day = today + timedelta(days=offset)
            for name, start, end in _WINDOWS:
                slots.append(
                    {
                        "id": f"{day.isoformat()}-{name}",
                        "start": datetime.combine(day, start, UTC).isoformat(),
                        "end": datetime.combine(day, end, UTC).isoformat(),
                    }
                )
        return slots

    def book(self, reference: str, slot_id: str, idempotency_key: str | None) -> dict[str, Any]:
        if idempotency_key and idempotency_key in self._by_key:
            return self._by_key[idempotency_key]
        slot = next((s for s in self.slots() if s["id"] == slot_id), None)
        if slot is None:
            raise HTTPException(409, f"slot {slot_id!r} is not offered")
        booking = {
            "confirmation_id": f"RS-{len(self.bookings) + 1:05d}",
            "reference": reference,
            "slot": slot,
            "idempotency_key": idempotency_key,
            "booked_at": self._clock().isoformat(),
        }
        self.bookings.append(booking)
        if idempotency_key:
            self._by_key[idempotency_key] = booking
        return booking

    def fail_if_asked(self) -> None:
        if self.failures.times > 0:
            self.failures = self.failures.model_copy(update={"times": self.failures.times - 1})
            raise HTTPException(self.failures.status, "injected failure")

    def reset(self) -> None:
        self.bookings.clear()
        self._by_key.clear()
        self.failures = InjectedFailures(times=0)


def create_oms_router(oms: SandboxOms | None = None) -> APIRouter:
    oms = oms or SandboxOms()
    router = APIRouter(prefix=PREFIX, tags=["sandbox OMS"])

    def known(reference: str) -> None:
        oms.fail_if_asked()
        if reference.lower().startswith("missing"):
            raise HTTPException(404, f"no order {reference!r}")

    @router.get("/orders/{reference}/delivery-slots")
    async def delivery_slots(reference: str) -> dict[str, Any]:
        known(reference)
        return {"reference": reference, "slots": oms.slots()}

    @router.post("/orders/{reference}/reschedule")
    async def reschedule(
        reference: str,
        body: RescheduleRequest,
        idempotency_key: str | None = Header(default=None),
    ) -> dict[str, Any]:
        known(reference)
        return oms.book(reference, body.slot_id, idempotency_key)

    @router.get("/bookings")
    async def bookings() -> dict[str, Any]:
        return {"bookings": oms.bookings}

    @router.delete("/bookings")
    async def reset() -> dict[str, bool]:
        oms.reset()
        return {"reset": True}

    @router.post("/failures")
    async def inject_failures(body: InjectedFailures) -> InjectedFailures:
        oms.failures = body
        return body

    return router
