"""A dead letter tried again, after a mapping or configuration fix: through the same path
as a new event (the inbox, then the dispatcher), so the milestone is delivered once.

Each source's letter is read by its entry in intake/replay_mappings.py, with the account
and the rules of the configuration this replay runs with, so a rule relaxed in the
configuration lets a letter through. Still unusable, it stays a dead letter with the new
reason; usable, it goes to the inbox under the key its source's path would have used (a
second replay, or the source redelivering the same payload, finds the key and adds
nothing) and is marked replayed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from config.settings import Settings, get_settings
from intake.handoff import keep_events
from intake.replay_mappings import REPLAY_MAPPINGS
from intake.source import IntakeRefused
from intake.validation import checked
from store.repository import Store


@dataclass(frozen=True)
class Replayed:
    accepted: int  # events that reached the inbox (0: they were there already)
    refused: str | None = None  # still unusable: why


def replay(
    store: Store, letter_id: int, now: datetime, settings: Settings | None = None
) -> Replayed:
    """``settings`` name the configuration the letter is read with (default: the
    process's). LookupError: no such letter, or its source or account is not configured
    (any more)."""
    letter = store.dead_letters.get(letter_id)
    if letter is None:
        raise LookupError(f"no dead letter {letter_id}")
    mapping = REPLAY_MAPPINGS.get(letter.source)
    if mapping is None:
        raise LookupError(f"no mapping for source {letter.source!r} in this version")
    try:
        reading = mapping(letter, store, settings or get_settings())
        mapped = checked(reading.mapped, reading.rules)
    except IntakeRefused as refused:
        store.dead_letters.keep(
            letter.source, letter.account, refused.reason, letter.payload, refused.priority, now
        )
        return Replayed(0, refused.reason)
    accepted, _ = keep_events(
        store, letter.source, letter.account, reading.delivery, mapped.events, now
    )
    store.dead_letters.replayed(letter_id, now)
    return Replayed(accepted)
