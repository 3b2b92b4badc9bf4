"""Outbox keys of a routed SMS: the first choice keeps the message's key, every other
provider's attempt gets its own, and each leads back to the message."""

from __future__ import annotations

from routing.keys import attempt_key, provider_key, root_key

KEY = "order-1:shipped:1:sms"
ORDER = ["vonage", "twilio", "plivo"]


def test_the_first_choice_sends_under_the_message_key() -> None:
    assert provider_key(KEY, "vonage", ORDER) == KEY
    assert provider_key(KEY, "twilio", []) == KEY  # no route: Twilio alone, one row


def test_every_other_provider_sends_under_a_key_of_its_own() -> None:
    assert provider_key(KEY, "twilio", ORDER) == f"{KEY}@twilio"
    assert provider_key(KEY, "plivo", ORDER) == f"{KEY}@plivo"
    # A send pinned to one provider (the workflow's failover) keeps the key it was given.
    assert provider_key(f"{KEY}@plivo", "plivo", ["plivo"]) == f"{KEY}@plivo"


def test_a_further_attempt_never_reuses_the_message_key_even_for_the_first_choice() -> None:
    assert attempt_key(KEY, "vonage") == f"{KEY}@vonage" != KEY


def test_every_attempt_leads_back_to_its_message() -> None:
    assert root_key(KEY) == KEY
    assert {root_key(provider_key(KEY, p, ORDER)) for p in ORDER} == {KEY}
    assert root_key(attempt_key(KEY, "plivo")) == KEY
    # The first "@" starts the attempt's suffix, whatever follows it.
    assert root_key(f"{KEY}@vonage@plivo") == KEY
