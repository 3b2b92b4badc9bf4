"""The workflow's reply state machine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from conversation.dialogue import (
    SLOT_CHOICE_VALID_FOR,
    AnswerHelp,
    AskForValidChoice,
    BookSlot,
    DialogueState,
    HandToSupport,
    Nothing,
    OfferSlots,
    OpenCallback,
    Step,
    next_step,
)
from conversation.intents import IntentKind

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
OFFERED = DialogueState().with_offer(("d1-am", "d1-pm", "d2-am"), NOW)


@pytest.mark.parametrize(
    ("intent", "expected"),
    [
        (IntentKind.RESCHEDULE, OfferSlots()),
        (IntentKind.CALL_ME, OpenCallback()),
        (IntentKind.HELP, AnswerHelp()),
        (IntentKind.OTHER, HandToSupport()),
        (IntentKind.CHOICE, HandToSupport()),  # no open question
        (IntentKind.STOP, Nothing()),
        (IntentKind.START, Nothing()),
        (IntentKind.CONFIRM_STOP, Nothing()),  # its one clarifying question was the answer
    ],
)
def test_with_no_open_question(intent: IntentKind, expected: Step) -> None:
    assert next_step(DialogueState(), intent, 2, NOW) == expected


def test_a_number_books_the_offered_slot() -> None:
    assert next_step(OFFERED, IntentKind.CHOICE, 2, NOW) == BookSlot("d1-pm")


@pytest.mark.parametrize("choice", [0, 4, None])
def test_a_number_not_offered_asks_again(choice: int | None) -> None:
    assert next_step(OFFERED, IntentKind.CHOICE, choice, NOW) == AskForValidChoice(count=3)


def test_an_old_offer_no_longer_takes_numbers() -> None:
    later = NOW + SLOT_CHOICE_VALID_FOR + timedelta(minutes=1)
    assert next_step(OFFERED, IntentKind.CHOICE, 1, later) == HandToSupport()


def test_other_intents_still_work_while_slots_are_offered() -> None:
    assert next_step(OFFERED, IntentKind.CALL_ME, None, NOW) == OpenCallback()
    assert next_step(OFFERED, IntentKind.RESCHEDULE, None, NOW) == OfferSlots()


def test_the_state_survives_serialization_and_closes() -> None:
    restored = DialogueState.model_validate_json(OFFERED.model_dump_json())
    assert restored == OFFERED and restored.awaits_slot_choice(NOW)
    assert not OFFERED.closed().awaits_slot_choice(NOW)


def test_nothing_to_reschedule_goes_to_a_person() -> None:
    step = next_step(DialogueState(), IntentKind.RESCHEDULE, None, NOW, reschedulable=False)
    assert step == HandToSupport()


def test_an_offer_takes_numbers_until_exactly_24_hours_then_not() -> None:
    at_the_limit = NOW + SLOT_CHOICE_VALID_FOR
    assert next_step(OFFERED, IntentKind.CHOICE, 1, at_the_limit) == BookSlot("d1-am")
    just_after = at_the_limit + timedelta(microseconds=1)
    assert next_step(OFFERED, IntentKind.CHOICE, 1, just_after) == HandToSupport()


@pytest.mark.parametrize(("choice", "slot"), [(1, "d1-am"), (3, "d2-am")])
def test_the_first_and_the_last_numbers_offered_book_their_slots(choice: int, slot: str) -> None:
    assert next_step(OFFERED, IntentKind.CHOICE, choice, NOW) == BookSlot(slot)


def test_no_slots_or_no_offer_time_is_no_open_question() -> None:
    assert not DialogueState().with_offer((), NOW).awaits_slot_choice(NOW)
    assert not DialogueState(offered_slot_ids=("d1-am",)).awaits_slot_choice(NOW)
    assert DialogueState().with_offer(("d1-am",), NOW).awaits_slot_choice(NOW)
