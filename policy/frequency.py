"""Customer frequency caps: at most N non-critical messages to one phone number per window.

Counted across every order and return of the customer (the store's ``messages`` rows for
the phone number's hash). Critical notification types neither count nor get capped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from pydantic import AwareDatetime, BaseModel, ConfigDict

from policy.rules import FrequencyCap, OverCapAction, PolicyRules


class RecentSend(BaseModel):
    """One message the customer received (or may have: a send in flight counts too)."""

    model_config = ConfigDict(frozen=True)

    at: AwareDatetime
    notification_type: str


class FrequencyVerdict(BaseModel):
    model_config = ConfigDict(frozen=True)

    allowed: bool
    counted: int  # non-critical messages inside the window
    cap: FrequencyCap | None = None
    action: OverCapAction | None = None  # what to do with a message over the cap
    frees_at: AwareDatetime | None = None  # when the oldest counted message leaves the window
    reason: str = ""


def check_frequency(
    notification_type: str,
    recent: Sequence[RecentSend],
    now: datetime,
    rules: PolicyRules,
) -> FrequencyVerdict:
    """Whether one more ``notification_type`` message fits the customer's cap right now."""
    rule = rules.type_rule(notification_type)
    cap = rule.frequency_cap
    if rule.critical or cap is None:
        return FrequencyVerdict(allowed=True, counted=0, reason="not capped")
    window = timedelta(seconds=cap.window_seconds)
    counted = sorted(
        send.at
        for send in recent
        if now - window < send.at <= now and not _is_critical(send.notification_type, rules)
    )
    if len(counted) < cap.max_messages:
        return FrequencyVerdict(allowed=True, counted=len(counted), cap=cap)
    # One more fits once enough of the oldest ones have left the window.
    frees_at = counted[len(counted) - cap.max_messages] + window
    return FrequencyVerdict(
        allowed=False,
        counted=len(counted),
        cap=cap,
        action=cap.over_cap,
        frees_at=frees_at,
        reason=(
            f"frequency cap: {len(counted)} messages to this number in the last "
            f"{_duration(window)} (cap {cap.max_messages})"
        ),
    )


def _is_critical(notification_type: str, rules: PolicyRules) -> bool:
    rule = rules.notification_types.get(notification_type)
    return rule is not None and rule.critical  # unknown (retired) types still count


def _duration(window: timedelta) -> str:
    seconds = window.total_seconds()
    if seconds % 3600 == 0:
        return f"{seconds / 3600:g}h"
    if seconds % 60 == 0:
        return f"{seconds / 60:g}min"
    return f"{seconds:g}s"
