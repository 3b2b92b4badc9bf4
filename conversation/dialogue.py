"""What the workflow does with a customer's reply: a small, pure state machine.

The workflow keeps a :class:`DialogueState` in its state (it travels through
continue-as-new) and asks :func:`next_step` what a reply means now; the step names the
activity to run and the text to send. Pure and deterministic, so it is safe inside the
workflow sandbox and replays identically.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import AwareDatetime, BaseModel, ConfigDict

from conversation.intents import IntentKind

SLOT_CHOICE_VALID_FOR = timedelta(hours=24)  # slots offered yesterday may be gone today


class CustomerReply(BaseModel):
    """One inbound SMS as the workflow receives it (the ``customer_reply`` signal's input)."""

    message_sid: str  # the provider's id: a webhook retried by the provider is one reply
    phone: str  # E.164
    text: str
    intent: IntentKind
    choice: int | None = None  # CHOICE: the number picked (a delivery slot...)
    language: str | None = None
    received_at: AwareDatetime


class DialogueState(BaseModel):
    """The one open question, if any. Add fields only with defaults (workflow state)."""

    model_config = ConfigDict(frozen=True)

    offered_slot_ids: tuple[str, ...] = ()  # non-empty: waiting for a slot number
    offered_at: AwareDatetime | None = None

    def awaits_slot_choice(self, now: datetime) -> bool:
        return bool(
            self.offered_slot_ids
            and self.offered_at is not None
            and now - self.offered_at <= SLOT_CHOICE_VALID_FOR
        )

    def with_offer(self, slot_ids: tuple[str, ...], now: datetime) -> DialogueState:
        return DialogueState(offered_slot_ids=slot_ids, offered_at=now)

    def closed(self) -> DialogueState:
        return DialogueState()


@dataclass(frozen=True)
class OfferSlots:
    """Fetch the OMS's slots, text them numbered, then ``state.with_offer(...)``."""


@dataclass(frozen=True)
class BookSlot:
    slot_id: str  # reschedule with the OMS, confirm by SMS, then ``state.closed()``


@dataclass(frozen=True)
class AskForValidChoice:
    count: int  # the number was not one offered: "reply with 1 to {count}"


@dataclass(frozen=True)
class OpenCallback:
    """Open a call-back request with support and text when to expect the call."""


@dataclass(frozen=True)
class AnswerHelp:
    """Text the brand's help text."""


@dataclass(frozen=True)
class HandToSupport:
    """Alert support with the conversation attached; tell the customer it was passed on."""


@dataclass(frozen=True)
class Nothing:
    """Consent replies: the webhook already updated the store and answered (a possible
    opt-out gets its one clarifying question there, and nothing else)."""


Step = (
    OfferSlots | BookSlot | AskForValidChoice | OpenCallback | AnswerHelp | HandToSupport | Nothing
)


def next_step(
    state: DialogueState,
    intent: IntentKind,
    choice: int | None,
    now: datetime,
    *,
    reschedulable: bool = True,
) -> Step:
    """``reschedulable``: an order still on its way. A return, or an order already
    delivered, has no delivery to move: a person reads what the customer meant."""
    if intent in (IntentKind.STOP, IntentKind.START, IntentKind.CONFIRM_STOP):
        return Nothing()
    if intent is IntentKind.CHOICE and state.awaits_slot_choice(now):
        return _slot_choice(state, choice)
    if intent is IntentKind.RESCHEDULE:
        return OfferSlots() if reschedulable else HandToSupport()
    if intent is IntentKind.CALL_ME:
        return OpenCallback()
    if intent is IntentKind.HELP:
        return AnswerHelp()
    return HandToSupport()  # OTHER, or a number when no question is open


def _slot_choice(state: DialogueState, choice: int | None) -> Step:
    slots = state.offered_slot_ids
    if choice is None or not 1 <= choice <= len(slots):
        return AskForValidChoice(count=len(slots))
    return BookSlot(slot_id=slots[choice - 1])
