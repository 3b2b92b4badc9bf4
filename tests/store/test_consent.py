"""SMS consent: STOP until START, newest change wins, every change kept, no raw numbers."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from policy.channels import ConsentState
from store.consent import SmsConsent
from store.database import make_session_factory
from store.outbox import recipient_hash
from store.repository import Store
from store.tables import SmsConsentEventRow, SmsConsentRow

PHONE = "+14155550167"
NOW = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)


@pytest.fixture
def consent(store: Store) -> SmsConsent:
    return SmsConsent(make_session_factory(store.engine))


def test_a_number_that_never_replied_may_be_texted(consent: SmsConsent) -> None:
    assert consent.get(PHONE) is None
    assert not consent.is_opted_out(PHONE)


def test_stop_blocks_until_start(consent: SmsConsent) -> None:
    stopped = consent.opt_out(PHONE, at=NOW, source="sms_reply", keyword="STOP")

    assert stopped.state is ConsentState.OPTED_OUT
    assert consent.is_opted_out(PHONE)
    assert consent.is_opted_out(" +14155550167 ")  # the same number, however written

    consent.opt_in(PHONE, at=NOW + timedelta(days=2), source="sms_reply", keyword="START")
    current = consent.get(PHONE)

    assert current is not None
    assert (current.state, current.keyword, current.source) == (
        ConsentState.OPTED_IN,
        "START",
        "sms_reply",
    )
    assert current.changed_at == NOW + timedelta(days=2)
    assert not consent.is_opted_out(PHONE)


def test_a_late_arriving_older_change_does_not_undo_a_newer_one(consent: SmsConsent) -> None:
    consent.opt_out(PHONE, at=NOW, source="sms_reply", keyword="STOP")
    result = consent.opt_in(PHONE, at=NOW - timedelta(minutes=5), source="import")

    assert result.state is ConsentState.OPTED_OUT
    assert consent.is_opted_out(PHONE)
    assert [r.state for r in consent.history(PHONE)] == [
        ConsentState.OPTED_IN,
        ConsentState.OPTED_OUT,
    ]  # both kept for the audit, in the order they happened


def test_a_repeated_change_is_recorded_once(consent: SmsConsent) -> None:
    for _ in range(3):
        consent.opt_out(PHONE, at=NOW, source="sms_reply", keyword="STOP")

    assert len(consent.history(PHONE)) == 1


def test_numbers_are_kept_only_as_hashes(store: Store, consent: SmsConsent) -> None:
    consent.opt_out(PHONE, at=NOW, source="cli", keyword="ARRET")

    with make_session_factory(store.engine)() as session:
        keys = list(session.scalars(select(SmsConsentRow.recipient_hash)))
        logged = list(session.scalars(select(SmsConsentEventRow.recipient_hash)))

    assert keys == logged == [recipient_hash(PHONE)]
    assert PHONE not in keys[0]


def test_numbers_are_independent(consent: SmsConsent) -> None:
    consent.opt_out(PHONE, at=NOW, source="sms_reply")

    assert not consent.is_opted_out("+14155550168")
