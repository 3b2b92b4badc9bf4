"""The world a sandbox provider delivers into: per destination country, settable at run time.

For each provider the benchmark and the tests set, per destination country (ISO code, or
``*`` for the rest): the share of messages delivered, how long the final report takes,
the price per part, and outage windows (epoch seconds) during which the provider's API
answers 503. Outcomes come from one seeded ``random.Random`` so a run can be repeated.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import phonenumbers
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field


class OutageWindow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: float = Field(description="epoch seconds")
    end: float = Field(description="epoch seconds")

    def covers(self, moment: float) -> bool:
        return self.start <= moment < self.end


class RouteConditions(BaseModel):
    """How one provider treats one destination country."""

    model_config = ConfigDict(extra="forbid")

    country: str = Field(default="*", description="ISO 3166 code, or '*' for the rest")
    delivery_rate: float = Field(default=1.0, ge=0.0, le=1.0)
    report_delay_seconds: float = Field(default=0.2, ge=0.0)
    answer_delay_seconds: float = Field(
        default=0.0,
        ge=0.0,
        description="how long the API takes to answer once it has taken a message: a call "
        "the caller gives up on (or dies during) has still sent it",
    )
    price: Decimal = Field(default=Decimal("0.0075"), ge=0, description="per part, USD")
    failure_status: str = Field(default="", description="'' = the provider's usual one")
    failure_code: str = ""
    outages: list[OutageWindow] = Field(default_factory=list)
    blocked: bool = Field(default=False, description="the account may not send here")


def country_of(number: str) -> str:
    """ISO country of a number given with or without '+'; '' when unknown."""
    try:
        parsed = phonenumbers.parse("+" + number.lstrip("+"), None)
    except phonenumbers.NumberParseException:
        return ""
    country = phonenumbers.region_code_for_number(
        parsed
    ) or phonenumbers.region_code_for_country_code(parsed.country_code)
    return "" if country == "ZZ" else country


class ProviderWorld:
    """One provider's conditions by country. Thread-safe: tests drive it from their own
    thread while the server's loop reads it."""

    def __init__(self, conditions: Iterable[RouteConditions] = (), *, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._initial = list(conditions)
        self._seed = seed
        self._conditions: dict[str, RouteConditions] = {}
        self._random = random.Random(seed)
        self.replace(self._initial, seed=seed)

    def replace(self, conditions: Iterable[RouteConditions], *, seed: int | None = None) -> None:
        with self._lock:
            self._conditions = {c.country.upper(): c for c in conditions}
            if seed is not None:
                self._seed = seed
            self._random.seed(self._seed)

    def reset(self) -> None:
        self.replace(self._initial, seed=self._seed)

    def all(self) -> list[RouteConditions]:
        with self._lock:
            return list(self._conditions.values())

    def for_number(self, number: str) -> RouteConditions:
        country = country_of(number)
        with self._lock:
            return self._conditions.get(country) or self._conditions.get("*") or RouteConditions()

    def in_outage(self, number: str, moment: float | None = None) -> bool:
        at = time.time() if moment is None else moment
        return any(w.covers(at) for w in self.for_number(number).outages)

    def delivers(self, conditions: RouteConditions) -> bool:
        if conditions.delivery_rate >= 1.0:
            return True
        with self._lock:
            return self._random.random() < conditions.delivery_rate

    def pick(self, count: int) -> int:
        with self._lock:
            return self._random.randrange(count)


def create_world_router(world: ProviderWorld, path: str) -> APIRouter:
    """``GET``/``PUT`` (replace; optional ``?seed=``) a provider's world."""
    router = APIRouter()

    def payload() -> dict[str, Any]:
        return {"conditions": [c.model_dump(mode="json") for c in world.all()]}

    @router.get(path)
    async def get_world() -> dict[str, Any]:
        return payload()

    @router.put(path)
    async def put_world(
        conditions: list[RouteConditions], seed: int | None = None
    ) -> dict[str, Any]:
        world.replace(conditions, seed=seed)
        return payload()

    return router
