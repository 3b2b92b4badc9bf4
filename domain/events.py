"""What an OMS tells Herald: one milestone of one order or return.

These models are the signal contract of running workflows. Add fields only with defaults,
never rename or remove one: histories already in flight hold the old shape.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.milestones import MILESTONES_BY_KIND, Kind, Milestone, workflow_id_for
from domain.phone import normalize_e164

_EMAIL_SHAPE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def known_time_zone(value: str) -> str:
    """``value`` if the IANA database knows it (a validator's body)."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


class Customer(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=200)
    phone: str | None = None  # E.164; validated and normalized
    email: str | None = Field(default=None, pattern=_EMAIL_SHAPE, max_length=320)
    locale: str = "en"
    time_zone: str = "UTC"
    push_token: str | None = None

    @field_validator("phone")
    @classmethod
    def _phone_is_e164(cls, value: str | None) -> str | None:
        return None if value is None else normalize_e164(value)

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        return known_time_zone(value)

    @model_validator(mode="after")
    def _reachable(self) -> Self:
        if not (self.phone or self.email or self.push_token):
            raise ValueError("customer needs a phone, an e-mail or a push token")
        return self


class Shipment(BaseModel):
    model_config = ConfigDict(frozen=True)

    carrier: str | None = None
    tracking_id: str | None = None
    tracking_url: str | None = None
    estimated_arrival: AwareDatetime | None = None
    estimated_arrival_end: AwareDatetime | None = None  # with the above: an arrival window


class Refund(BaseModel):
    model_config = ConfigDict(frozen=True)

    amount: Decimal = Field(ge=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class DeliveryProblem(StrEnum):
    """What went wrong with a delivery, as a closed list (support's alert and the exception
    message say it; free text from the OMS stays in ``detail``)."""

    DELAYED = "delayed"
    DELIVERY_ATTEMPTED = "delivery_attempted"
    ADDRESS_PROBLEM = "address_problem"
    LOST = "lost"
    DAMAGED = "damaged"


PROBLEM_MILESTONES = (Milestone.DELAYED, Milestone.DELIVERY_ATTEMPTED, Milestone.EXCEPTION)


class MilestoneEvent(BaseModel):
    """The ``milestone`` signal's input, also the OMS client's input."""

    model_config = ConfigDict(frozen=True)

    event_id: str = Field(min_length=1, max_length=200)
    kind: Kind
    reference: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")
    milestone: Milestone
    occurred_at: AwareDatetime
    customer: Customer
    shipment: Shipment | None = None
    refund: Refund | None = None
    merchant: str | None = None  # selects a merchant's template overrides
    detail: str | None = Field(default=None, max_length=500)  # e.g. why a delivery is delayed
    problem: DeliveryProblem | None = None  # delayed, delivery_attempted and exception only

    @model_validator(mode="after")
    def _milestone_fits_kind(self) -> Self:
        if self.milestone not in MILESTONES_BY_KIND[self.kind]:
            allowed = ", ".join(m.value for m in MILESTONES_BY_KIND[self.kind])
            raise ValueError(
                f"{self.milestone.value!r} is not a {self.kind.value} milestone ({allowed})"
            )
        if self.problem is not None and self.milestone not in PROBLEM_MILESTONES:
            raise ValueError(f"a problem is only given with {', '.join(PROBLEM_MILESTONES)}")
        return self

    @property
    def workflow_id(self) -> str:
        return workflow_id_for(self.kind, self.reference)


def utc(value: datetime) -> datetime:
    """Normalize an aware datetime to UTC (store and compare in one zone)."""
    return value.astimezone(ZoneInfo("UTC"))
