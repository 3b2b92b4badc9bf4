"""The kinds of intent a customer's reply can carry; conversation/intents.py tells which one
a reply carries, and conversation/intent_phrases.py lists the phrases that name each."""

from __future__ import annotations

from enum import StrEnum


class IntentKind(StrEnum):
    RESCHEDULE = "reschedule"
    CALL_ME = "call_me"
    HELP = "help"
    STOP = "stop"
    START = "start"
    CONFIRM_STOP = "confirm_stop"  # might be an opt-out: answered by one clarifying question
    CHOICE = "choice"  # a numbered answer to "which order?" or "which slot?"
    OTHER = "other"  # goes to support with the conversation attached
