"""After each attempt: the next provider, done, or e-mail; never a second SMS before the
first is known failed."""

from __future__ import annotations

import pytest

from routing.failover import Attempt, next_step

ORDER = ["plivo", "vonage", "twilio"]


def test_the_first_choice_sends_first() -> None:
    assert next_step(ORDER, []).provider == "plivo"
    assert next_step([], []).action == "fallback"


@pytest.mark.parametrize("outcome", ["outage", "failed", "route_refused"])
def test_a_known_failure_moves_to_the_next_provider(outcome: str) -> None:
    step = next_step(ORDER, [Attempt("plivo", outcome)])  # type: ignore[arg-type]
    assert (step.action, step.provider) == ("send_next", "vonage")


@pytest.mark.parametrize("outcome", ["delivered", "unconfirmed"])
def test_a_delivered_or_unconfirmed_message_ends_it(outcome: str) -> None:
    assert next_step(ORDER, [Attempt("plivo", outcome)]).action == "done"  # type: ignore[arg-type]


def test_a_message_still_in_flight_is_not_known_failed_so_no_second_sms() -> None:
    step = next_step(ORDER, [Attempt("plivo", "pending")])
    assert step.action == "fallback" and "not known failed" in step.reason


def test_a_refused_recipient_is_refused_everywhere() -> None:
    assert next_step(ORDER, [Attempt("plivo", "recipient_refused")]).action == "fallback"


def test_every_provider_tried_falls_back_to_email() -> None:
    attempts = [
        Attempt("plivo", "failed"),
        Attempt("vonage", "outage"),
        Attempt("twilio", "failed"),
    ]
    step = next_step(ORDER, attempts)
    assert step.action == "fallback" and "every provider tried" in step.reason
