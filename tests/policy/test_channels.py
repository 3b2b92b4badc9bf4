"""Channels: STOP blocks SMS (critical too) and falls back; preferences mute non-critical types."""

from domain.timeline import Channel
from policy.channels import ChannelChoice, ConsentState, choose_channels
from policy.decision import PolicyRule
from policy.rules import PolicyRules

RULES = PolicyRules()


def choose(
    notification_type: str = "order_progress",
    *,
    consent: ConsentState | None = None,
    muted: tuple[Channel, ...] = (),
    phone: bool = True,
    email: bool = True,
    push: bool = False,
) -> ChannelChoice:
    return choose_channels(
        notification_type,
        has_phone=phone,
        has_email=email,
        has_push=push,
        sms_consent=consent,
        muted=muted,
        rules=RULES,
    )


def test_sms_first_with_email_and_push_as_fallback() -> None:
    choice = choose(push=True)

    assert choice.primary == (Channel.SMS,)
    assert choice.fallback == (Channel.EMAIL, Channel.PUSH)
    assert choice.notes == ()


def test_an_opted_out_number_falls_back_to_email() -> None:
    choice = choose(consent=ConsentState.OPTED_OUT)

    assert choice.primary == (Channel.EMAIL,)
    assert choice.reason == "SMS blocked: the number opted out of text messages (STOP)"


def test_stop_blocks_critical_messages_too() -> None:
    assert choose("refund", consent=ConsentState.OPTED_OUT).primary == (Channel.EMAIL,)


def test_an_opted_out_number_without_email_gets_nothing_and_says_why() -> None:
    choice = choose(consent=ConsentState.OPTED_OUT, email=False)

    assert choice.primary == ()
    assert choice.blocked_by is PolicyRule.CONSENT


def test_opting_back_in_restores_sms() -> None:
    assert choose(consent=ConsentState.OPTED_IN).primary == (Channel.SMS,)


def test_a_muted_sms_falls_back_to_email_when_email_is_allowed() -> None:
    choice = choose(muted=(Channel.SMS,))

    assert choice.primary == (Channel.EMAIL,)
    assert choice.reason == "SMS off: the customer turned off order_progress texts"


def test_muting_every_channel_suppresses_with_the_preference_as_reason() -> None:
    choice = choose(muted=(Channel.SMS, Channel.EMAIL))

    assert choice.primary == ()
    assert choice.blocked_by is PolicyRule.PREFERENCE
    assert "email off" in choice.reason


def test_consent_and_email_opt_out_together_blame_consent() -> None:
    choice = choose(consent=ConsentState.OPTED_OUT, muted=(Channel.EMAIL,))

    assert choice.blocked_by is PolicyRule.CONSENT


def test_critical_types_ignore_mutes() -> None:
    choice = choose("delivery_exception", muted=(Channel.SMS, Channel.EMAIL))

    assert choice.primary == (Channel.SMS,)
    assert choice.fallback == (Channel.EMAIL,)


def test_muted_fallbacks_are_left_out() -> None:
    assert choose(push=True, muted=(Channel.PUSH,)).fallback == (Channel.EMAIL,)
