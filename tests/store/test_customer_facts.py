"""The send policy's facts about a customer, read together, match the separate reads.

Against SQLite and PostgreSQL.
"""

from dataclasses import replace
from datetime import timedelta

from domain.timeline import Channel
from policy.channels import ConsentState
from store.outbox import recipient_hash
from store.repository import Store
from tests.store.test_outbox import NOW, new_message

PHONE, EMAIL, OTHER = "+14155550167", "ann@example.com", "+14155550999"
CRITICAL: frozenset[str] = frozenset()


def test_a_customer_nobody_knows_has_no_facts(store: Store) -> None:
    facts = store.customer_facts.read(PHONE, EMAIL, NOW - timedelta(days=1))

    assert facts.preferences == [] and facts.consent is None
    assert facts.recent_sms == [] and not facts.had_sms


def test_the_facts_read_together_are_the_ones_each_store_gives(store: Store) -> None:
    since = NOW - timedelta(hours=1)
    store.consent.opt_out(PHONE, at=NOW, source="sms_reply", keyword="STOP")
    prefs = store.preferences
    prefs.set(EMAIL, "marketing", Channel.SMS, False, critical_types=CRITICAL, at=NOW, source="api")
    prefs.set(PHONE, "returns", Channel.EMAIL, False, critical_types=CRITICAL, at=NOW, source="api")
    store.outbox.claim(new_message("order-1:shipped:sms:1", PHONE), NOW, calling=True)
    store.outbox.complete("order-1:shipped:sms:1", "SM1", NOW)
    old = replace(new_message("order-0:confirmed:sms:1", PHONE), milestone="confirmed")
    store.outbox.claim(old, NOW - timedelta(hours=2))  # before the window: not recent
    store.outbox.claim(new_message("order-2:shipped:sms:1", OTHER), NOW)  # someone else

    facts = store.customer_facts.read(PHONE, EMAIL, since)

    assert facts.preferences == prefs.for_customer(PHONE, EMAIL)
    assert len(facts.preferences) == 2  # under either contact
    assert facts.consent is not None and facts.consent.state is ConsentState.OPTED_OUT
    assert facts.consent == store.consent.get(PHONE)
    assert facts.recent_sms == store.recent_sends.recent_sends(recipient_hash(PHONE), since)
    assert [m.workflow_id for m in facts.recent_sms] == ["order-1"]
    assert facts.had_sms and facts.had_sms == store.outbox.has_sent_to(PHONE, "sms")


def test_a_number_with_a_send_in_flight_has_not_had_an_sms_yet(store: Store) -> None:
    store.outbox.claim(new_message("order-1:shipped:sms:1", PHONE), NOW, calling=True)

    facts = store.customer_facts.read(PHONE, None, NOW - timedelta(hours=1))

    assert not facts.had_sms  # accepted messages only: the opt-out line stays on the first
    assert len(facts.recent_sms) == 1  # but it counts towards the frequency cap


def test_without_a_phone_only_the_preferences_apply(store: Store) -> None:
    store.preferences.set(
        EMAIL, "marketing", Channel.EMAIL, False, critical_types=CRITICAL, at=NOW, source="api"
    )

    facts = store.customer_facts.read(None, EMAIL, NOW - timedelta(hours=1))

    assert [p.channel for p in facts.preferences] == [Channel.EMAIL]
    assert facts.consent is None and facts.recent_sms == [] and not facts.had_sms
