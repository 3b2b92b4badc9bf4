"""A dead letter tried again, after a mapping or configuration fix: through the same path
as a new event (the inbox, then the dispatcher), so the milestone is delivered once.

The account's rules are read again (intake/validation.py), so a rule relaxed in the
configuration lets a letter through. Still unusable, it stays a dead letter with the new
reason; usable, it goes to the inbox under its own key (a second replay finds the key and
adds nothing) and is marked replayed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from config.settings import Settings, get_settings
from intake.accounts import validation_rules
from intake.handoff import keep_events
from intake.returns_config import returns_mapping
from intake.source import IntakeRefused, Mapped, parse_json
from intake.sources.generic import map_generic
from intake.sources.returns_table import SOURCE as RETURNS_SOURCE
from intake.tracker_mappings import TRACKER_SOURCES, tracker_mapping
from intake.validation import Rules, checked
from store.repository import Store

# Each source's mapping from its raw payload and its account's rules (the routes' modules
# add theirs).
MAPPINGS: dict[str, Callable[[Any, Rules], Mapped]] = {"generic": map_generic}


@dataclass(frozen=True)
class Replayed:
    accepted: int  # events that reached the inbox (0: they were there already)
    refused: str | None = None  # still unusable: why


def replay(
    store: Store, letter_id: int, now: datetime, settings: Settings | None = None
) -> Replayed:
    """``settings`` give a carrier tracker's account and status table (default: the
    process's): its letter is read again through the store's look-ups, so a tracking code
    that was unknown then finds its order now."""
    letter = store.dead_letters.get(letter_id)
    if letter is None:
        raise LookupError(f"no dead letter {letter_id}")
    settings = settings or get_settings()
    mapping = MAPPINGS.get(letter.source)
    if mapping is None and letter.source in TRACKER_SOURCES:
        tracker = tracker_mapping(letter.source, letter.account, store, settings)
        mapping = lambda payload, _rules: tracker(payload)  # noqa: E731 - reads no rules yet
    if mapping is None and letter.source == RETURNS_SOURCE:
        table = returns_mapping(letter.account, settings)
        mapping = lambda payload, _rules: table(payload)  # noqa: E731 - the rules: checked below
    if mapping is None:
        raise LookupError(f"no mapping for source {letter.source!r} in this version")
    # Read again, as the route would now: a rule relaxed since lets the letter through.
    rules = validation_rules(settings.intake_config_path).rules_for(letter.source, letter.account)
    try:
        mapped = checked(mapping(parse_json(letter.payload), rules), rules)
    except IntakeRefused as refused:
        store.dead_letters.keep(
            letter.source, letter.account, refused.reason, letter.payload, refused.priority, now
        )
        return Replayed(0, refused.reason)
    digest = hashlib.sha256(letter.payload).hexdigest()[:16]
    delivery = f"replay-{digest}"  # a second replay of the same payload adds nothing
    accepted, _ = keep_events(store, letter.source, letter.account, delivery, mapped.events, now)
    store.dead_letters.replayed(letter_id, now)
    return Replayed(accepted)
