from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from reporting.figures import compute, percentile
from reporting.query import MessageFigures
from reporting.targets import (
    AVERAGE_DELIVERY_SECONDS,
    COST_PER_SEGMENT_USD,
    DELIVERY_RATE,
    EMAIL_OPEN_RATE,
)

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def sms(
    n: int, *, status: str | None = "delivered", delay: float = 1.0, **kw: object
) -> MessageFigures:
    sent = T0 + timedelta(seconds=10 + n)
    values: dict[str, object] = {
        "message_key": f"order-{n}:shipped:1:sms",
        "workflow_id": f"order-{n}",
        "event_id": f"e{n}",
        "event_occurred_at": T0 + timedelta(seconds=n),
        "channel": "sms",
        "milestone": "shipped",
        "created_at": sent,
        "sent_at": sent,
        "final_status": status,
        "final_at": sent + timedelta(seconds=delay) if status else None,
        "refused": False,
        "segments": 1,
        "cost_usd": Decimal("0.0075"),
        "fallback_of": None,
        "open_tracked": False,
        "opened_at": None,
    }
    values.update(kw)
    return MessageFigures(**values)  # type: ignore[arg-type]


def email_after(n: int, *, opened: bool) -> MessageFigures:
    return sms(
        n,
        status=None,
        message_key=f"order-{n}:shipped:1:email",
        channel="email",
        segments=None,
        cost_usd=None,
        fallback_of=f"order-{n}:shipped:1:sms",
        open_tracked=True,
        opened_at=T0 + timedelta(hours=1) if opened else None,
        sent_at=T0 + timedelta(seconds=30 + n),
    )


def test_a_known_mix_gives_exact_figures() -> None:
    messages = [sms(i, delay=2.0 if i < 90 else 20.0) for i in range(97)]
    messages += [sms(97, status="undelivered"), sms(98, status="undelivered")]
    messages += [sms(99, status=None, sent_at=None, refused=True)]  # refused at the send
    messages += [email_after(97, opened=True), email_after(98, opened=False)]
    messages += [sms(100, status=None)]  # accepted, no report yet

    kpis = compute(messages)

    assert (kpis.sms, kpis.sms_delivered, kpis.sms_undelivered, kpis.sms_failed) == (101, 97, 2, 1)
    assert kpis.sms_pending == 1  # left out of every rate
    assert kpis.delivery_rate == 0.97
    assert kpis.average_delivery_seconds == (90 * 2.0 + 7 * 20.0) / 97
    assert kpis.p95_delivery_seconds == 20.0  # rank 93 of 97
    assert kpis.cost_per_sms_usd == Decimal("0.007500")  # 100 accepted, the refused costs nothing
    assert kpis.cost_per_segment_usd == Decimal("0.007500")
    assert kpis.fallbacks == 2 and kpis.fallback_rate == 0.02
    assert (kpis.emails_tracked, kpis.emails_opened, kpis.email_open_rate) == (2, 1, 0.5)
    assert kpis.events == 100  # the refused SMS's event never got an update
    assert kpis.average_first_update_seconds == 10.0  # each SMS 10 s after its event


def test_the_first_update_is_the_earliest_message_of_the_event() -> None:
    early, late = sms(1), sms(1, message_key="order-1:shipped:1:email", channel="email")
    late = MessageFigures(**{**late.__dict__, "sent_at": early.sent_at + timedelta(minutes=5)})
    assert compute([late, early]).average_first_update_seconds == 10.0


def test_no_messages_gives_no_figures_rather_than_zeros() -> None:
    kpis = compute([])
    assert kpis.delivery_rate is None and kpis.cost_per_sms_usd is None
    assert all(row["meets_target"] is None for row in kpis.with_targets())


@pytest.mark.parametrize(
    ("values", "p95"),
    [
        ([5.0], 5.0),
        ([float(i) for i in range(1, 21)], 19.0),
        ([float(i) for i in range(1, 101)], 95.0),
    ],
)
def test_p95_is_the_nearest_rank(values: list[float], p95: float) -> None:
    assert percentile(values, 95) == p95


def test_targets_at_their_boundaries() -> None:
    assert DELIVERY_RATE.met_by(0.985) is True and DELIVERY_RATE.met_by(0.9849) is False
    assert AVERAGE_DELIVERY_SECONDS.met_by(29.999) is True
    assert AVERAGE_DELIVERY_SECONDS.met_by(30.0) is False  # "< 30 s"
    assert COST_PER_SEGMENT_USD.met_by(Decimal("0.0075")) is True  # "$0.0075 per SMS unit"
    assert COST_PER_SEGMENT_USD.met_by(Decimal("0.007501")) is False
    assert EMAIL_OPEN_RATE.met_by(0.423) is True


def test_time_to_delivery_starts_when_herald_handed_the_sms_over() -> None:
    """The report can reach the HTTP service before the provider's answer reaches the
    worker (sent_at): timed from the hand-over, a fast delivery is 0.5 s, not -0.3 s."""
    called = T0 + timedelta(seconds=10)
    fast = sms(
        1,
        provider_called_at=called,
        sent_at=called + timedelta(seconds=0.8),
        final_at=called + timedelta(seconds=0.5),
    )
    assert compute([fast]).average_delivery_seconds == 0.5


def test_time_to_delivery_is_never_below_zero_and_falls_back_to_the_accept() -> None:
    called = T0 + timedelta(seconds=10)
    skewed = sms(1, provider_called_at=called, final_at=called - timedelta(seconds=0.2))
    unknown_call = sms(2, delay=3.0)  # no hand-over time: from the accept
    assert compute([skewed]).average_delivery_seconds == 0.0
    assert compute([unknown_call]).p95_delivery_seconds == 3.0
