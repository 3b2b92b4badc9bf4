"""The open "which one?" question per number: replaced, expired, answered."""

from datetime import UTC, datetime, timedelta

from store.repository import Store

NOW = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
PHONE = "+14155550167"


def test_the_latest_question_is_kept_until_answered(store: Store) -> None:
    store.reply_questions.ask(PHONE, '{"n": 1}', asked_at=NOW, expires_at=NOW + timedelta(hours=1))
    store.reply_questions.ask(PHONE, '{"n": 2}', asked_at=NOW, expires_at=NOW + timedelta(hours=1))

    assert store.reply_questions.pending(PHONE, NOW) == '{"n": 2}'
    assert store.reply_questions.pending("+14155550999", NOW) is None
    store.reply_questions.answered(PHONE)
    assert store.reply_questions.pending(PHONE, NOW) is None


def test_an_expired_question_is_forgotten(store: Store) -> None:
    store.reply_questions.ask(PHONE, "{}", asked_at=NOW, expires_at=NOW + timedelta(minutes=5))
    assert store.reply_questions.pending(PHONE, NOW + timedelta(minutes=6)) is None
    assert store.reply_questions.pending(PHONE, NOW) is None  # deleted, not just hidden
