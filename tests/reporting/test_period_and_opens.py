from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from reporting.open_tracking import message_key_of, pixel_url, token_for, with_pixel
from reporting.period import PeriodError, parse_period
from tests.helpers.temporal import settings_for_tests

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def test_periods_as_people_type_them() -> None:
    assert parse_period("24h", NOW) == (NOW - timedelta(hours=24), None)
    assert parse_period("7d", NOW) == (NOW - timedelta(days=7), None)
    assert parse_period("all", NOW) == (None, None)
    assert parse_period("2026-12-01..2026-12-03", NOW) == (
        datetime(2026, 12, 1, tzinfo=UTC),
        datetime(2026, 12, 3, tzinfo=UTC),
    )
    assert parse_period("..2026-12-03T10:00+01:00", NOW)[1] == datetime(2026, 12, 3, 9, tzinfo=UTC)
    for bad in ("yesterday", "7x", "2026-13-01..", "-5d"):
        with pytest.raises(PeriodError):
            parse_period(bad, NOW)


def test_open_tokens_name_their_message_and_cannot_be_forged(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for_tests(data_dir=tmp_path)
    key = "order-A1:shipped:1:email"
    token = token_for(key, settings)
    assert message_key_of(token, settings) == key
    assert message_key_of(token + ".gif", settings) == key
    forged = (
        token_for("order-B2:shipped:1:email", settings).split(".")[0] + "." + token.split(".")[1]
    )
    assert message_key_of(forged, settings) is None
    assert message_key_of("garbage", settings) is None
    assert message_key_of("!!!.abc", settings) is None
    assert message_key_of(".\u0080", settings) is None  # a non-ASCII mac: None, not a 500
    assert message_key_of(token.split(".")[0] + ".é" * 32, settings) is None
    other_keys = settings.model_copy(update={"payload_keys": SecretStr("k9:" + "a" * 43 + "=")})
    assert message_key_of(token, other_keys) is None
    html = with_pixel("<html><body><p>Hi</p></body></html>", key, settings)
    assert html.endswith(
        f'<img src="{pixel_url(key, settings)}" width="1" height="1" alt=""></body></html>'
    )
