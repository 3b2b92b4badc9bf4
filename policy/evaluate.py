"""Every rule in turn, for one message: the single entry point the workflow calls.

The order matters and is the one a person would apply: drop repeats, find a channel the
customer allows, wait for news that may make this moot, respect the customer's cap, and
only then the clock (quiet hours). A HOLD, and a MERGE that names ``hold_until``, are
decided again when their timer fires, with fresh facts (a MERGE is settled sooner if a
newer milestone of the order is sent meanwhile: that message carries the news); SEND and
SUPPRESS are final for this message.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict

from domain.milestones import Milestone
from domain.timeline import Channel
from policy import coalescing
from policy.channels import ChannelChoice, ConsentState, choose_channels
from policy.decision import (
    PolicyDecision,
    PolicyRule,
    hold,
    merge_into_next,
    send_now,
    suppress,
)
from policy.duplicates import NotifiedMilestone, duplicate_reason
from policy.frequency import RecentSend, check_frequency
from policy.quiet_hours import check_quiet_hours, recipient_zones
from policy.rules import OverCapAction, PolicyRules


class PolicyRequest(BaseModel):
    """The facts about one message; the workflow gathers them, the store supplies some."""

    model_config = ConfigDict(frozen=True)

    candidate: NotifiedMilestone
    received_at: AwareDatetime  # when the workflow took the milestone in
    phone: str | None = None  # E.164; never copied into a decision's reason
    has_email: bool = False
    has_push: bool = False
    profile_time_zone: str | None = None
    notified: tuple[NotifiedMilestone, ...] = ()  # this order's milestones already notified
    arrived_since: tuple[Milestone, ...] = ()  # milestones signalled after this one
    sms_consent: ConsentState | None = None
    muted: tuple[Channel, ...] = ()  # channels the customer turned off for this type
    recent_sms: tuple[RecentSend, ...] = ()  # to this phone number, across all orders


def evaluate(request: PolicyRequest, now: datetime, rules: PolicyRules) -> PolicyDecision:
    milestone = request.candidate.milestone
    notification_type = rules.type_of(milestone)
    repeated = duplicate_reason(request.candidate, request.notified, rules)
    if repeated:
        return suppress(PolicyRule.DUPLICATE, repeated)
    newer = coalescing.superseding(milestone, request.arrived_since, rules)
    if newer is not None:
        return merge_into_next(
            PolicyRule.SUPERSEDED, f"merged into {newer.value}, which arrived in time", None
        )
    channels = _channels(request, notification_type, rules)
    if not channels.primary:
        return suppress(channels.blocked_by or PolicyRule.PREFERENCE, channels.reason)
    held_until = coalescing.hold_until(milestone, request.received_at, rules)
    if held_until is not None and now < held_until:
        rule = rules.coalescing[milestone]
        awaited = ", ".join(m.value for m in rule.superseded_by)
        return hold(
            held_until,
            PolicyRule.COALESCING,
            f"holding {milestone.value} up to {rule.hold_seconds / 60:g} min for {awaited}",
        )
    if Channel.SMS in channels.primary:
        held = _sms_timing(request, notification_type, now, rules)
        if held is not None:
            return held
    return send_now(channels.primary, channels.fallback, channels.reason or "within every rule")


def _channels(request: PolicyRequest, notification_type: str, rules: PolicyRules) -> ChannelChoice:
    return choose_channels(
        notification_type,
        has_phone=request.phone is not None,
        has_email=request.has_email,
        has_push=request.has_push,
        sms_consent=request.sms_consent,
        muted=request.muted,
        rules=rules,
    )


def _sms_timing(
    request: PolicyRequest, notification_type: str, now: datetime, rules: PolicyRules
) -> PolicyDecision | None:
    """The frequency cap, then quiet hours; None when the SMS may go now."""
    cap = check_frequency(notification_type, request.recent_sms, now, rules)
    if not cap.allowed:
        if cap.action is OverCapAction.DROP:
            return suppress(PolicyRule.FREQUENCY_CAP, f"{cap.reason}: dropped")
        return merge_into_next(
            PolicyRule.FREQUENCY_CAP,
            f"{cap.reason}: merged into the next message",
            cap.frees_at,
        )
    type_rule = rules.type_rule(notification_type)
    if type_rule.critical and type_rule.overrides_quiet_hours:
        return None
    zones = recipient_zones(request.profile_time_zone, request.phone, rules)
    window = rules.window_for(zones.country)
    verdict = check_quiet_hours(now, zones, window)
    if verdict.quiet:
        return hold(verdict.opens_at, PolicyRule.QUIET_HOURS, verdict.reason)
    return None
