"""The tracking poller's activities: EasyPost's Trackers API through its official SDK, and
a changed tracker into the intake (workflows/tracking_poller.py decides when).

Both are idempotent, so Temporal may run them again after a crash or a lost answer:
- ``ensure_tracker`` creates the tracker; EasyPost itself returns the existing tracker for
  the same tracking code and carrier (its dedupe window is three months), so a second
  create makes no second tracker and no second fee.
- ``poll_tracker`` reads the tracker and, when its status moved, keeps the mapped events in
  the intake inbox under a key made of the tracker id and its status (and detail): the
  same change kept twice is one row, and the order's workflow ignores an event id it has
  seen, so the same change seen by a webhook too is one milestone.

EasyPost's answers: a 4xx (an unknown tracking code, a revoked key) will not change by
asking again: ``EasyPostRefused``, not retried, and the poller ends with the reason. A 5xx,
a 429, a timeout or no connection is raised as is and retried with back-off.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import easypost
from easypost.errors import (
    ApiError,
    RateLimitError,
)
from easypost.errors import (
    TimeoutError as EasyPostTimeout,
)
from pydantic import BaseModel
from temporalio import activity
from temporalio.exceptions import ApplicationError

from config.settings import Settings
from intake.sources.easypost import EasyPostAccount
from intake.tracking_polls import (
    PolledOrder,
    easypost_account_named,
    keep_tracker_change,
    poll_rules,
)
from intake.validation import Rules
from store.repository import Store

REFUSED = "EasyPostRefused"  # the non-retryable error type the poller ends on
SDK_TIMEOUT_SECONDS = 20  # below the activity's start-to-close timeout

# Statuses the SDK raises that asking again may cure: timeouts and rate limits.
_TRANSIENT_4XX = frozenset({408, 429})


class EnsureTrackerInput(BaseModel):
    carrier: str
    tracking_code: str


class TrackerFound(BaseModel):
    tracker_id: str
    status: str


class PollTrackerInput(BaseModel):
    tracker_id: str
    known_status: str | None = None  # as the poller last saw it: None on its first poll
    known_detail: str | None = None
    reference: str  # the order the shipment belongs to
    merchant: str | None = None
    easypost_account: str = "default"


class TrackerPolled(BaseModel):
    status: str
    status_detail: str | None = None
    changed: bool  # from what the poller knew
    kept: int = 0  # new events in the inbox (0: a repeat, or nothing to tell)
    note: str | None = None  # why nothing was kept, or the dead letter it became


def easypost_client(settings: Settings) -> easypost.EasyPostClient:
    """The SDK pointed at the configured API: the sandbox without a key, EasyPost with
    one (HERALD_EASYPOST_API_KEY), with no change to the code."""
    return easypost.EasyPostClient(
        settings.effective_easypost_api_key,
        api_base=settings.effective_easypost_api_base_url,
        timeout=SDK_TIMEOUT_SECONDS,
    )


def refused_or_raised(error: ApiError) -> Exception:
    """A 4xx EasyPost will answer the same again: non-retryable; anything else as is."""
    status = error.http_status or 0
    if isinstance(error, (RateLimitError, EasyPostTimeout)) or status in _TRANSIENT_4XX:
        return error
    if 400 <= status < 500:
        code = getattr(error, "code", None) or "error"
        return ApplicationError(
            f"EasyPost refused ({status} {code}): {error.message}", type=REFUSED, non_retryable=True
        )
    return error


class TrackingActivities:
    def __init__(self, settings: Settings, store: Store) -> None:
        self._settings = settings
        self._client = easypost_client(settings)
        self._store = store
        self._accounts: dict[str, EasyPostAccount] = {}
        self._rules: dict[str, Rules] = {}

    @activity.defn(name="ensure_tracker")
    async def ensure_tracker(self, request: EnsureTrackerInput) -> TrackerFound:
        # Without a carrier EasyPost detects it from the code.
        carrier = {"carrier": request.carrier} if request.carrier else {}
        tracker = await self._call(
            self._client.tracker.create, tracking_code=request.tracking_code, **carrier
        )
        # So a webhook naming only the tracker finds the shipment (False: no source named
        # the code yet; the poller knows its order anyway).
        await asyncio.to_thread(
            self._store.tracked_shipments.attach_tracker,
            request.tracking_code,
            request.carrier or None,
            tracker["id"],
        )
        return TrackerFound(tracker_id=tracker["id"], status=tracker.get("status") or "unknown")

    @activity.defn(name="poll_tracker")
    async def poll_tracker(self, request: PollTrackerInput) -> TrackerPolled:
        tracker = await self._call(self._client.tracker.retrieve, request.tracker_id)
        status = tracker.get("status") or "unknown"
        detail = tracker.get("status_detail")
        changed = (status, detail) != (request.known_status, request.known_detail)
        if not changed:
            return TrackerPolled(status=status, status_detail=detail, changed=False)
        kept, note = await asyncio.to_thread(self._keep, tracker, request, datetime.now(UTC))
        return TrackerPolled(
            status=status, status_detail=detail, changed=True, kept=kept, note=note
        )

    def _keep(
        self, tracker: dict[str, Any], request: PollTrackerInput, now: datetime
    ) -> tuple[int, str | None]:
        name = request.easypost_account
        if name not in self._accounts:  # read once: the status table is a file
            self._accounts[name] = easypost_account_named(self._settings, name)
            self._rules[name] = poll_rules(self._settings, name)
        order = PolledOrder(reference=request.reference, merchant=request.merchant)
        return keep_tracker_change(
            self._store, self._accounts[name], tracker, order, now, self._rules[name]
        )

    async def _call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The SDK call in a thread (it blocks on ``requests``), as a plain dict."""
        try:
            answer = await asyncio.to_thread(method, *args, **kwargs)
        except ApiError as error:
            raise refused_or_raised(error) from error
        return answer.to_dict() if hasattr(answer, "to_dict") else json.loads(json.dumps(answer))
