"""Which channels may carry a message: SMS consent first, then the customer's preferences.

STOP blocks every SMS from the brand, critical ones included (it is the carrier's and the
law's rule, not a preference); the message then goes by e-mail or push if the customer
allows it for this notification type. Preferences mute non-critical types per channel;
critical types stay on everywhere.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.timeline import Channel
from policy.decision import PolicyRule
from policy.rules import PolicyRules


class ConsentState(StrEnum):
    OPTED_IN = "opted_in"
    OPTED_OUT = "opted_out"


class ChannelChoice(BaseModel):
    model_config = ConfigDict(frozen=True)

    primary: tuple[Channel, ...]  # send on these now
    fallback: tuple[Channel, ...]  # when the SMS fails
    notes: tuple[str, ...] = ()  # channels left out, and why
    blocked_by: PolicyRule | None = None  # set when nothing is left

    @property
    def reason(self) -> str:
        return "; ".join(self.notes)


def choose_channels(
    notification_type: str,
    *,
    has_phone: bool,
    has_email: bool,
    has_push: bool,
    sms_consent: ConsentState | None,
    muted: Collection[Channel],
    rules: PolicyRules,
) -> ChannelChoice:
    """SMS when the number may be texted, else e-mail and push, each if the customer allows."""
    critical = rules.type_rule(notification_type).critical
    muted = frozenset() if critical else frozenset(muted)
    notes: list[str] = []
    sms = has_phone
    if sms and sms_consent is ConsentState.OPTED_OUT:
        sms = False
        notes.append("SMS blocked: the number opted out of text messages (STOP)")
    elif sms and Channel.SMS in muted:
        sms = False
        notes.append(f"SMS off: the customer turned off {notification_type} texts")
    others = []
    for channel, present in ((Channel.EMAIL, has_email), (Channel.PUSH, has_push)):
        if present and channel in muted:
            notes.append(f"{channel.value} off: the customer turned off {notification_type}")
        elif present:
            others.append(channel)
    if sms:
        return ChannelChoice(primary=(Channel.SMS,), fallback=tuple(others), notes=tuple(notes))
    if others:
        return ChannelChoice(primary=tuple(others), fallback=(), notes=tuple(notes))
    blocked_by = (
        PolicyRule.CONSENT if sms_consent is ConsentState.OPTED_OUT and has_phone else None
    ) or PolicyRule.PREFERENCE
    if not notes:
        notes.append("no channel to reach the customer")
    return ChannelChoice(primary=(), fallback=(), notes=tuple(notes), blocked_by=blocked_by)
