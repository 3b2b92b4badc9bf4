"""The send policy's tunables as plain models: they travel through workflow history.

:class:`config.policy.PolicySettings` fills them from ``HERALD_*`` variables; the defaults
here are the ones a fresh install runs with. A map given in configuration is laid over
its default key by key, so setting one notification type or one country keeps the rest.
"""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.milestones import Milestone

DAY_SECONDS = 24 * 3600.0


class OverCapAction(StrEnum):
    MERGE = "merge"  # keep it back; the next message for the order carries the news
    DROP = "drop"  # do not send it at all


class SenderType(StrEnum):
    LONG_CODE = "long_code"  # an ordinary E.164 number
    TOLL_FREE = "toll_free"
    SHORT_CODE = "short_code"  # 5 or 6 digits
    MESSAGING_SERVICE = "messaging_service"  # a Twilio Messaging Service SID, MG...
    ALPHANUMERIC = "alphanumeric"  # a sender name, where the destination allows it


class FrequencyCap(BaseModel):
    """At most ``max_messages`` non-critical messages to one phone number per window."""

    model_config = ConfigDict(frozen=True)

    max_messages: int = Field(ge=1)
    window_seconds: float = Field(default=DAY_SECONDS, gt=0)
    over_cap: OverCapAction = OverCapAction.MERGE


class NotificationTypeRule(BaseModel):
    model_config = ConfigDict(frozen=True)

    critical: bool = False  # always on: exempt from caps and opt-outs per type
    frequency_cap: FrequencyCap | None = None
    overrides_quiet_hours: bool = False  # only a critical type may

    @model_validator(mode="after")
    def _only_critical_types_override_quiet_hours(self) -> Self:
        if self.overrides_quiet_hours and not self.critical:
            raise ValueError("only a critical notification type may override quiet hours")
        return self


class SendingWindow(BaseModel):
    """Local wall-clock hours when non-critical SMS may go out; may wrap past midnight."""

    model_config = ConfigDict(frozen=True)

    start: time = time(8, 0)
    end: time = time(21, 0)

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if self.start == self.end:
            raise ValueError("a sending window needs different start and end times")
        if self.start.tzinfo or self.end.tzinfo:
            raise ValueError("sending window times are local wall-clock times, without zone")
        return self

    def contains(self, wall_clock: time) -> bool:
        if self.start < self.end:
            return self.start <= wall_clock < self.end
        return wall_clock >= self.start or wall_clock < self.end


class CoalescingRule(BaseModel):
    """Hold a milestone this long in case one that makes it pointless follows."""

    model_config = ConfigDict(frozen=True)

    hold_seconds: float = Field(ge=0)
    superseded_by: tuple[Milestone, ...] = ()


class SenderLimit(BaseModel):
    model_config = ConfigDict(frozen=True)

    messages_per_second: float = Field(gt=0)
    daily_cap: int | None = Field(default=None, ge=1)  # per UTC day


def default_milestone_types() -> dict[Milestone, str]:
    progress = {Milestone.CONFIRMED, Milestone.SHIPPED, Milestone.OUT_FOR_DELIVERY}
    types = {m: "order_progress" for m in (*progress, Milestone.DELIVERED)}
    types[Milestone.DELAYED] = "delivery_delay"
    types[Milestone.DELIVERY_ATTEMPTED] = "delivery_exception"
    types[Milestone.EXCEPTION] = "delivery_exception"
    for milestone in (Milestone.RECEIVED, Milestone.INSPECTED, Milestone.RESOLVED):
        types[milestone] = "return_progress"
    types[Milestone.REFUND_PROCESSED] = "refund"
    return types


def default_notification_types() -> dict[str, NotificationTypeRule]:
    daily_four = FrequencyCap(max_messages=4, window_seconds=DAY_SECONDS)
    return {
        "order_progress": NotificationTypeRule(frequency_cap=daily_four),
        "delivery_delay": NotificationTypeRule(frequency_cap=daily_four),
        "return_progress": NotificationTypeRule(frequency_cap=daily_four),
        # A missed delivery can still be rescheduled tonight; a refund can wait for morning.
        "delivery_exception": NotificationTypeRule(critical=True, overrides_quiet_hours=True),
        "refund": NotificationTypeRule(critical=True),
    }


def default_country_time_zones() -> dict[str, tuple[str, ...]]:
    """Every zone a number of these countries may be in when the number itself does not
    say (a mobile, a toll-free number): the window must be open in all of them.

    Each list shares at least an hour of the default 08:00-21:00 window all year: the
    US runs from Puerto Rico to Hawaii, Russia from Kaliningrad to Kamchatka.
    """
    return {
        "US": (
            "America/Puerto_Rico",
            "America/New_York",
            "America/Chicago",
            "America/Denver",
            "America/Phoenix",
            "America/Los_Angeles",
            "America/Anchorage",
            "Pacific/Honolulu",
        ),
        "CA": (
            "America/St_Johns",
            "America/Halifax",
            "America/Toronto",
            "America/Winnipeg",
            "America/Regina",
            "America/Edmonton",
            "America/Vancouver",
        ),
        "AU": (
            "Australia/Lord_Howe",
            "Australia/Sydney",
            "Australia/Brisbane",
            "Australia/Adelaide",
            "Australia/Darwin",
            "Australia/Eucla",
            "Australia/Perth",
        ),
        "BR": ("America/Noronha", "America/Sao_Paulo", "America/Manaus", "America/Rio_Branco"),
        "MX": ("America/Cancun", "America/Mexico_City", "America/Chihuahua", "America/Tijuana"),
        "RU": (
            "Europe/Kaliningrad",
            "Europe/Moscow",
            "Europe/Samara",
            "Asia/Yekaterinburg",
            "Asia/Omsk",
            "Asia/Novosibirsk",
            "Asia/Krasnoyarsk",
            "Asia/Irkutsk",
            "Asia/Yakutsk",
            "Asia/Vladivostok",
            "Asia/Magadan",
            "Asia/Kamchatka",
        ),
        "ID": ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"),
    }


def default_coalescing() -> dict[Milestone, CoalescingRule]:
    ten_minutes = 600.0
    return {
        Milestone.OUT_FOR_DELIVERY: CoalescingRule(
            hold_seconds=ten_minutes,
            superseded_by=(
                Milestone.DELIVERED,
                Milestone.DELIVERY_ATTEMPTED,
                Milestone.EXCEPTION,
            ),
        ),
        # Warehouses often inspect and refund in one batch.
        Milestone.INSPECTED: CoalescingRule(
            hold_seconds=ten_minutes,
            superseded_by=(Milestone.REFUND_PROCESSED, Milestone.RESOLVED),
        ),
    }


def default_sender_limits() -> dict[SenderType, SenderLimit]:
    """Twilio's documented per-sender throughput; daily caps are the carriers' lowest tier.

    Set both to the figures of your own registration (10DLC trust score, toll-free
    verification, short code provisioning, the senders in a messaging service's pool).
    """
    return {
        SenderType.LONG_CODE: SenderLimit(messages_per_second=1, daily_cap=2000),
        SenderType.TOLL_FREE: SenderLimit(messages_per_second=3),
        SenderType.SHORT_CODE: SenderLimit(messages_per_second=100),
        SenderType.MESSAGING_SERVICE: SenderLimit(messages_per_second=1),
        SenderType.ALPHANUMERIC: SenderLimit(messages_per_second=1),
    }


# Fields whose configured value is laid over the default map instead of replacing it.
_MERGED_MAPS = {
    "milestone_types": default_milestone_types,
    "notification_types": default_notification_types,
    "country_time_zones": default_country_time_zones,
    "coalescing": default_coalescing,
    "sender_limits": default_sender_limits,
}


class PolicyRules(BaseModel):
    """Every tunable of the send policy, as the workflow receives them."""

    milestone_types: dict[Milestone, str] = Field(default_factory=default_milestone_types)
    notification_types: dict[str, NotificationTypeRule] = Field(
        default_factory=default_notification_types
    )
    sending_window: SendingWindow = Field(default_factory=SendingWindow)
    sending_windows_by_country: dict[str, SendingWindow] = Field(default_factory=dict)
    country_time_zones: dict[str, tuple[str, ...]] = Field(
        default_factory=default_country_time_zones
    )
    coalescing: dict[Milestone, CoalescingRule] = Field(default_factory=default_coalescing)
    # The same milestone with the same content inside this window is one message.
    duplicate_window_seconds: float = Field(default=12 * 3600.0, ge=0)
    sender_limits: dict[SenderType, SenderLimit] = Field(default_factory=default_sender_limits)
    sender_overrides: dict[str, SenderLimit] = Field(default_factory=dict)  # by sender string
    # Provider back-pressure (HTTP 429, queue full): rate times this factor, for a while.
    back_pressure_factor: float = Field(default=0.5, gt=0, lt=1)
    back_pressure_min_factor: float = Field(default=0.125, gt=0, le=1)
    back_pressure_seconds: float = Field(default=60.0, gt=0)

    @model_validator(mode="before")
    @classmethod
    def _lay_maps_over_defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        merged = dict(data)
        for name, defaults in _MERGED_MAPS.items():
            given = merged.get(name)
            if isinstance(given, dict):
                merged[name] = {**_keyed_by_value(defaults()), **_keyed_by_value(given)}
        return merged

    @field_validator("sending_windows_by_country", "country_time_zones", mode="before")
    @classmethod
    def _country_codes(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        bad = [code for code in value if not (len(code) == 2 and code.isalpha())]
        if bad:
            raise ValueError(f"countries are ISO 3166 alpha-2 codes: {bad}")
        return {code.upper(): entry for code, entry in value.items()}  # env names are lowered

    @model_validator(mode="after")
    def _every_milestone_has_a_known_type(self) -> Self:
        missing = [m.value for m in Milestone if m not in self.milestone_types]
        if missing:
            raise ValueError(f"milestones without a notification type: {missing}")
        unknown = sorted(set(self.milestone_types.values()) - set(self.notification_types))
        if unknown:
            raise ValueError(f"notification types used but not defined: {unknown}")
        if self.back_pressure_min_factor > self.back_pressure_factor:
            raise ValueError("back_pressure_min_factor must not exceed back_pressure_factor")
        return self

    def type_of(self, milestone: Milestone) -> str:
        return self.milestone_types[milestone]

    def type_rule(self, notification_type: str) -> NotificationTypeRule:
        try:
            return self.notification_types[notification_type]
        except KeyError:
            raise UnknownNotificationType(notification_type) from None

    def window_for(self, country: str | None) -> SendingWindow:
        return self.sending_windows_by_country.get(country or "", self.sending_window)


class UnknownNotificationType(KeyError):
    """A notification type the configuration does not define."""


def _keyed_by_value(mapping: dict[Any, Any]) -> dict[str, Any]:
    """Enum keys and their string spellings from JSON must land on the same key."""
    return {getattr(key, "value", key): value for key, value in mapping.items()}
