"""How long this activity attempt has left, and how much of it a provider call may take.

The provider call and a look-up's polling both end ``CALL_MARGIN_SECONDS`` before the
attempt's start-to-close timeout, so the worker's own answer reaches the server first.
"""

from __future__ import annotations

from datetime import UTC, datetime

from temporalio import activity

# The provider call, and a look-up's polling, end this long before the attempt's timeout.
CALL_MARGIN_SECONDS = 3.0
MIN_CALL_TIMEOUT_SECONDS = 2.0


def attempt_seconds_left() -> float:
    """Seconds until this attempt's start-to-close timeout (a day when it has none)."""
    info = activity.info()
    if not info.start_to_close_timeout:
        return 86400.0
    deadline = info.started_time + info.start_to_close_timeout
    return (deadline - datetime.now(UTC)).total_seconds()


def call_timeout() -> float:
    """How long the provider call may wait: as long as the attempt allows, so a slow
    provider's answer is awaited rather than made ambiguous by our own client."""
    return max(attempt_seconds_left() - CALL_MARGIN_SECONDS, MIN_CALL_TIMEOUT_SECONDS)
