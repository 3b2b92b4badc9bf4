"""Per-destination behaviour of the sandbox: latency, API errors and final delivery outcomes.

A rule names a destination (an E.164 number for SMS, a device token for push) exactly, by a
prefix ending in ``*``, or with ``*`` alone as the default. Randomness comes from one seeded
``random.Random`` so a test that sets the seed sees the same outcomes on every run.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

FinalStatus = Literal["delivered", "undelivered", "failed"]


class DestinationRule(BaseModel):
    """How the sandbox treats one destination (or a family of them)."""

    model_config = ConfigDict(extra="forbid")

    to: str = Field(min_length=1, description="exact value, a prefix ending in '*', or '*'")
    latency_ms: int = Field(default=0, ge=0, description="delay before the API answers")
    # The message is taken at once and the answer comes this much later: a caller that
    # dies or gives up meanwhile has had its message accepted (latency_ms: not yet).
    answer_delay_ms: int = Field(default=0, ge=0, description="delay after the message is taken")
    api_error_status: int | None = Field(default=None, ge=400, le=599)
    api_error_code: int | None = None
    api_error_message: str = "Sandbox rule error"
    api_error_rate: float = Field(default=1.0, ge=0.0, le=1.0)
    fail_first_calls: int | None = Field(default=None, ge=0)
    final_status: FinalStatus = "delivered"
    final_error_code: int | None = None
    failure_rate: float = Field(default=1.0, ge=0.0, le=1.0)
    callback_delay_seconds: float | None = Field(default=None, ge=0.0)
    send_callbacks: bool = True
    # Keep each message "queued" (no date_sent, so no DateSent filter finds it) this long
    # before the carrier takes it: a busy account's queue, as Twilio has at times.
    hold_queued_seconds: float = Field(default=0.0, ge=0.0)
    # Post the status callbacks in a random order (Twilio guarantees none) ...
    shuffle_callbacks: bool = False
    # ... and each one this many extra times (a replayed or duplicated callback).
    repeat_callbacks: int = Field(default=0, ge=0, le=1000)

    @field_validator("to")
    @classmethod
    def _star_only_at_end(cls, value: str) -> str:
        if "*" in value[:-1]:
            raise ValueError("'*' may only end the pattern")
        return value

    @model_validator(mode="after")
    def _failing_status_has_code(self) -> DestinationRule:
        # Twilio always reports an ErrorCode with undelivered/failed; 30008 is its "unknown".
        if self.final_status != "delivered" and self.final_error_code is None:
            self.final_error_code = 30008
        return self

    @property
    def is_default(self) -> bool:
        return self.to == "*"

    @property
    def is_prefix(self) -> bool:
        return self.to.endswith("*")

    def matches(self, destination: str) -> bool:
        if self.is_prefix:
            return destination.startswith(self.to[:-1])
        return destination == self.to


@dataclass(frozen=True, slots=True)
class ApiError:
    status: int
    code: int | None
    message: str


@dataclass(frozen=True, slots=True)
class FinalOutcome:
    status: FinalStatus
    error_code: int | None


DELIVERED = FinalOutcome(status="delivered", error_code=None)


class RuleBook:
    """The active rules plus the per-destination call counters that ``fail_first_calls`` needs.

    Thread-safe because the SMS API, the push sink and the control API may all touch it, and
    tests may drive it from another thread than the server's.
    """

    def __init__(self, rules: Iterable[DestinationRule] = (), *, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._rules: list[DestinationRule] = list(rules)
        self._initial_rules = list(self._rules)
        self._initial_seed = seed
        self._seed = seed
        self._random = random.Random(seed)
        self._calls: dict[str, int] = {}

    @property
    def seed(self) -> int:
        return self._seed

    @property
    def rules(self) -> list[DestinationRule]:
        with self._lock:
            return list(self._rules)

    def replace(self, rules: Iterable[DestinationRule], *, seed: int | None = None) -> None:
        """Install a new rule set; call counters restart so ``fail_first_calls`` counts anew."""
        with self._lock:
            self._rules = list(rules)
            self._calls.clear()
            if seed is not None:
                self._seed = seed
            self._random.seed(self._seed)

    def reset(self) -> None:
        """Back to the rules and seed the book was created with."""
        self.replace(self._initial_rules, seed=self._initial_seed)

    def add(self, rule: DestinationRule) -> None:
        """Add one rule; like ``replace``, call counters restart whenever the rules change."""
        with self._lock:
            self._rules.append(rule)
            self._calls.clear()

    def match(self, destination: str) -> DestinationRule | None:
        """Most specific first: exact, then the longest prefix, then the ``*`` default.

        Among equally specific rules the one added last wins, so ``POST /sandbox/rules`` can
        override an earlier rule without replacing the whole list.
        """
        with self._lock:
            return self._match_locked(destination)

    def _match_locked(self, destination: str) -> DestinationRule | None:
        best: DestinationRule | None = None
        best_rank = -1
        for rule in self._rules:
            if not rule.matches(destination):
                continue
            if rule.is_default:
                rank = 0
            elif rule.is_prefix:
                rank = len(rule.to)  # "+1555*" is 6 > "*" and < any exact match
            else:
                rank = 1_000_000
            if rank >= best_rank:
                best, best_rank = rule, rank
        return best

    def _chance(self, rate: float) -> bool:
        # Rates of exactly 0 or 1 leave the generator untouched, so adding a certain rule does
        # not shift the outcomes of the probabilistic ones.
        if rate >= 1.0:
            return True
        if rate <= 0.0:
            return False
        return self._random.random() < rate

    def api_error_for_call(
        self, destination: str
    ) -> tuple[DestinationRule | None, ApiError | None]:
        """Count one create-call to ``destination`` and decide whether it fails at the API."""
        with self._lock:
            rule = self._match_locked(destination)
            if rule is None or rule.api_error_status is None:
                return rule, None
            if rule.fail_first_calls is not None:
                # Counted only under such a rule, so a benchmark's many numbers cost nothing.
                calls = self._calls.get(destination, 0) + 1
                self._calls[destination] = calls
                if calls > rule.fail_first_calls:
                    return rule, None
            if not self._chance(rule.api_error_rate):
                return rule, None
            error = ApiError(rule.api_error_status, rule.api_error_code, rule.api_error_message)
            return rule, error

    def shuffled(self, items: list[str]) -> list[str]:
        """The items in an order from the book's seeded generator."""
        with self._lock:
            copy = list(items)
            self._random.shuffle(copy)
            return copy

    def final_outcome(self, rule: DestinationRule | None) -> FinalOutcome:
        """Decide the final delivery status for an accepted message under ``rule``."""
        if rule is None or rule.final_status == "delivered":
            return DELIVERED
        with self._lock:
            failing = self._chance(rule.failure_rate)
        if not failing:
            return DELIVERED
        return FinalOutcome(status=rule.final_status, error_code=rule.final_error_code)


def create_rules_router(book: RuleBook, path: str) -> APIRouter:
    """``GET``/``PUT`` (replace, optional ``?seed=``)/``POST`` (add one) for a rule book."""
    router = APIRouter()

    def payload() -> dict[str, Any]:
        return {"rules": [rule.model_dump() for rule in book.rules], "seed": book.seed}

    @router.get(path)
    async def get_rules() -> dict[str, Any]:
        return payload()

    @router.put(path)
    async def replace_rules(
        rules: list[DestinationRule], seed: int | None = None
    ) -> dict[str, Any]:
        book.replace(rules, seed=seed)
        return payload()

    @router.post(path)
    async def add_rule(rule: DestinationRule) -> dict[str, Any]:
        book.add(rule)
        return payload()

    return router
