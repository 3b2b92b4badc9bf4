"""What the policy decided for one message, in words support can read.

The workflow records the decision in its history and timeline, so a message that was
held, merged or suppressed says why wherever someone looks: the ``history`` query, the
store's timeline and the Web UI.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, model_validator

from domain.timeline import Channel


class PolicyAction(StrEnum):
    SEND = "send"  # now, on ``channels``
    HOLD = "hold"  # wait on a durable timer until ``hold_until``, then decide again
    MERGE = "merge"  # keep back: the order's next message carries the news; at
    # ``hold_until`` (when set) with nothing newer sent, decide again
    SUPPRESS = "suppress"  # never sent; ``reason`` says why


class PolicyRule(StrEnum):
    """Which rule decided: a stable word to filter on, beside the sentence."""

    NONE = "none"
    DUPLICATE = "duplicate"
    SUPERSEDED = "superseded"
    CONSENT = "consent"
    PREFERENCE = "preference"
    COALESCING = "coalescing"
    FREQUENCY_CAP = "frequency_cap"
    QUIET_HOURS = "quiet_hours"


class PolicyDecision(BaseModel):
    model_config = ConfigDict(frozen=True)

    action: PolicyAction
    rule: PolicyRule = PolicyRule.NONE
    reason: str
    channels: tuple[Channel, ...] = ()  # where to send now, when action is SEND
    fallback_channels: tuple[Channel, ...] = ()  # where to turn when the SMS fails
    hold_until: AwareDatetime | None = None  # for HOLD; for MERGE: when to send it anyway

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.action is PolicyAction.HOLD and self.hold_until is None:
            raise ValueError("a hold needs hold_until")
        if self.action is PolicyAction.SEND and not self.channels:
            raise ValueError("a send needs at least one channel")
        return self

    @property
    def sends(self) -> bool:
        return self.action is PolicyAction.SEND


def send_now(
    channels: tuple[Channel, ...],
    fallback: tuple[Channel, ...] = (),
    reason: str = "within every rule",
) -> PolicyDecision:
    return PolicyDecision(
        action=PolicyAction.SEND, reason=reason, channels=channels, fallback_channels=fallback
    )


def hold(until: datetime, rule: PolicyRule, reason: str) -> PolicyDecision:
    return PolicyDecision(action=PolicyAction.HOLD, rule=rule, reason=reason, hold_until=until)


def merge_into_next(rule: PolicyRule, reason: str, until: datetime | None) -> PolicyDecision:
    return PolicyDecision(action=PolicyAction.MERGE, rule=rule, reason=reason, hold_until=until)


def suppress(rule: PolicyRule, reason: str) -> PolicyDecision:
    return PolicyDecision(action=PolicyAction.SUPPRESS, rule=rule, reason=reason)
