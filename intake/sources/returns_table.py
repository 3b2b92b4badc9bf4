"""A returns table in the retailer's database: one row's status to a return milestone.

Owns what Herald reads of a returns row and each table's configuration (one
``[[returns]]`` table in config/intake.toml: :class:`ReturnsTable`). Pure: no database.
The watcher (intake/returns_watcher.py) reads rows with :func:`row_payload` and maps each
with :func:`map_return_row`; a refusal keeps the same payload as a dead letter, so a replay
after a configuration fix reads exactly what the watcher read.

A row says where a return stands now, not what changed: the event id is the return and
the milestone (``<reference>:<milestone>``), so reading the row again (the watcher's
overlap, a restart, a second replica, an unrelated column updated) emits nothing new, and
a return that goes back to a status it had is not told twice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, Self
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from domain.events import Customer, MilestoneEvent, Refund, known_time_zone
from domain.milestones import MILESTONES_BY_KIND, Kind, Milestone
from intake.source import NAMELESS_CUSTOMER, PRIORITY_LOW, IntakeRefused, Mapped, priority_of
from intake.validation import DEFAULT_RULES, Rules, read_phone, rules_moved, valid_email

SOURCE = "returns"
_REFERENCE_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,100}")  # MilestoneEvent.reference
_IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$"  # a plain SQL column name, no quoting games

# A return's usual statuses: Herald's names for them. A retailer's own names are mapped
# in ``statuses``; the ones that tell the customer nothing are listed in ``quiet_statuses``.
DEFAULT_STATUSES: dict[str, Milestone] = {
    "received": Milestone.RECEIVED,
    "inspected": Milestone.INSPECTED,
    "refunded": Milestone.REFUND_PROCESSED,
    "resolved": Milestone.RESOLVED,
}


class ReturnColumns(BaseModel):
    """Which of the table's columns hold what. Optional ones may be left out (None)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(default="id", pattern=_IDENTIFIER)  # unique; the cursor's tie-breaker
    updated_at: str = Field(default="updated_at", pattern=_IDENTIFIER)  # set on every change
    status: str = Field(default="status", pattern=_IDENTIFIER)
    # The return's own reference (an RMA number; an order's number if the retailer keys
    # returns by order): the workflow is return-<reference>. None: the id column.
    reference: str | None = Field(default=None, pattern=_IDENTIFIER)
    phone: str | None = Field(default="customer_phone", pattern=_IDENTIFIER)
    email: str | None = Field(default="customer_email", pattern=_IDENTIFIER)
    name: str | None = Field(default="customer_name", pattern=_IDENTIFIER)
    locale: str | None = Field(default=None, pattern=_IDENTIFIER)
    country: str | None = Field(default=None, pattern=_IDENTIFIER)  # reads a local phone
    refund_amount: str | None = Field(default=None, pattern=_IDENTIFIER)
    currency: str | None = Field(default=None, pattern=_IDENTIFIER)

    def read(self) -> list[str]:
        """The columns the watcher selects: only these leave the retailer's database."""
        named = [getattr(self, field) for field in type(self).model_fields]
        return list(dict.fromkeys(c for c in named if c))


class ReturnsTable(BaseModel):
    """One watched returns table, from configuration (``[[returns]]``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # The watcher's name: the intake account, its cursor's key, and the name its database
    # URL is given under (HERALD_RETURNS_DATABASE_URLS="<name>=<url>", never in the file).
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")
    merchant: str = Field(min_length=1, max_length=100)
    table: str = Field(default="returns", pattern=r"^([A-Za-z_][A-Za-z0-9_]*\.)?[A-Za-z_]\w*$")
    columns: ReturnColumns = ReturnColumns()
    statuses: dict[str, Milestone] = Field(default_factory=lambda: dict(DEFAULT_STATUSES))
    # Statuses the customer hears nothing of (requested, label sent...). A status neither
    # mapped nor quiet is a dead letter: a typo or a status the retailer added since.
    quiet_statuses: frozenset[str] = frozenset()
    locale: str = "en"  # when the row has none
    time_zone: str = "UTC"  # the customer's, for quiet hours
    # Where a phone typed without its country code is read, with the rest of what the
    # table accepts: its [[validation]] table (source = "returns", account = its name).
    # How the table's timestamps without an offset are read (a ``timestamp`` column).
    timestamps_time_zone: str = "UTC"
    # How far behind its cursor the watcher reads again: a transaction that commits late
    # with an earlier updated_at than rows already read is still seen if within this.
    overlap_seconds: float = Field(default=300.0, ge=0)
    poll_seconds: float = Field(default=5.0, gt=0)  # when NOTIFY is off or quiet
    page_size: int = Field(default=500, ge=1, le=10_000)
    lease_seconds: float = Field(default=60.0, gt=0)  # one replica watches at a time
    notify_channel: str | None = Field(default=None, pattern=_IDENTIFIER)  # PostgreSQL only
    # Where a watcher with no cursor yet starts: "now" (the table's newest change, less the
    # overlap: years of old returns are not told again) or "beginning" (every row).
    start_from: Literal["now", "beginning"] = "now"

    @model_validator(mode="before")
    @classmethod
    def _rules_moved(cls, table: Any) -> Any:
        return rules_moved(table, SOURCE)

    @field_validator("time_zone", "timestamps_time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        return known_time_zone(value)

    @field_validator("statuses")
    @classmethod
    def _return_milestones_only(cls, value: dict[str, Milestone]) -> dict[str, Milestone]:
        others = sorted(m.value for m in value.values() if m not in MILESTONES_BY_KIND[Kind.RETURN])
        if others:
            raise ValueError(f"not return milestones: {', '.join(others)}")
        return {_status_key(status): milestone for status, milestone in value.items()}

    @field_validator("quiet_statuses")
    @classmethod
    def _normalized(cls, value: frozenset[str]) -> frozenset[str]:
        return frozenset(_status_key(status) for status in value)

    @model_validator(mode="after")
    def _lease_outlives_a_poll(self) -> Self:
        # The holder renews its lease on every pass: a lease shorter than two polls would
        # pass to another replica between two passes of a healthy one.
        if self.lease_seconds < 2 * self.poll_seconds:
            raise ValueError("lease_seconds must be at least twice poll_seconds")
        return self

    @property
    def reference_column(self) -> str:
        return self.columns.reference or self.columns.id


def row_payload(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row as JSON-ready values: what the mapping reads and a dead letter keeps.
    Times keep their offset (a naive one stays naive and is read in the table's zone)."""
    return {str(key): _json_value(value) for key, value in row.items()}


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # a UUID, an enum, a driver's own type: as the database prints it


def map_return_row(
    payload: Mapping[str, Any], table: ReturnsTable, rules: Rules = DEFAULT_RULES
) -> Mapped:
    """The row's milestone event, nothing (a quiet status), or :class:`IntakeRefused`.
    ``rules`` are the table's (intake/validation.py): a local phone is read in the row's
    country, else their ``default_region``; the caller applies the rest to the event."""
    columns = table.columns
    raw_status = payload.get(columns.status)
    if raw_status is None or not str(raw_status).strip():
        raise IntakeRefused(f"return {payload.get(columns.id)!r} has no status")
    status = _status_key(str(raw_status))
    milestone = table.statuses.get(status)
    if milestone is None:
        if status in table.quiet_statuses:
            return Mapped(ignored=f"status {status!r} is quiet")
        raise IntakeRefused(
            f"status {status!r} is neither mapped nor quiet for returns table {table.name!r}",
            PRIORITY_LOW,
        )
    priority = priority_of(milestone)
    reference = _reference(payload.get(table.reference_column), table, priority)
    customer = _customer(payload, table, rules.default_region)
    if customer is None:
        raise IntakeRefused(
            f"return {reference}: no customer with a valid phone or e-mail", priority
        )
    try:
        event = MilestoneEvent(
            event_id=f"{reference}:{milestone.value}",
            kind=Kind.RETURN,
            reference=reference,
            milestone=milestone,
            occurred_at=_moment(payload.get(columns.updated_at), table, priority),
            customer=customer,
            refund=_refund(payload, table) if milestone is Milestone.REFUND_PROCESSED else None,
            merchant=table.merchant,
        )
    except ValidationError as exc:
        raise IntakeRefused(
            f"return {reference} is no valid milestone event: {exc}", priority
        ) from exc
    return Mapped(events=[event])


def _status_key(status: str) -> str:
    return status.strip().lower()


def _reference(value: Any, table: ReturnsTable, priority: int) -> str:
    text = (
        str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    )
    if not _REFERENCE_PATTERN.fullmatch(text):
        raise IntakeRefused(
            f"column {table.reference_column!r} holds no usable return reference "
            f"(got {value!r:.40}): letters, digits and . _ : - only, at most 100",
            priority,
        )
    return text


def _moment(value: Any, table: ReturnsTable, priority: int) -> datetime:
    moment: datetime | None = None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            moment = None
    if moment is None:
        raise IntakeRefused(
            f"column {table.columns.updated_at!r} holds no time (got {value!r:.40})", priority
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(table.timestamps_time_zone))
    return moment


def _customer(
    payload: Mapping[str, Any], table: ReturnsTable, default_region: str | None
) -> Customer | None:
    """The row's phone and e-mail, each dropped if unusable; None if neither is usable."""
    columns = table.columns
    region = _text(payload, columns.country) or default_region
    phone = read_phone(_text(payload, columns.phone), [region])
    email = _text(payload, columns.email)
    if email is not None and not valid_email(email):
        email = None
    if not (phone or email):
        return None
    locale = _text(payload, columns.locale)
    return Customer(
        name=(_text(payload, columns.name) or NAMELESS_CUSTOMER)[:200],
        phone=phone,
        email=email,
        locale=locale[:35] if locale else table.locale,
        time_zone=table.time_zone,
    )


def _refund(payload: Mapping[str, Any], table: ReturnsTable) -> Refund | None:
    """The refund when both its columns hold something usable; else the message goes
    without an amount rather than not at all."""
    columns = table.columns
    amount, currency = _text(payload, columns.refund_amount), _text(payload, columns.currency)
    if amount is None or currency is None:
        return None
    try:
        return Refund(amount=Decimal(amount), currency=currency.upper())
    except (InvalidOperation, ValidationError):
        return None


def _text(payload: Mapping[str, Any], column: str | None) -> str | None:
    if column is None:
        return None
    value = payload.get(column)
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip() if isinstance(value, str | int | float) else ""
    return text or None
