"""The tracking poller's input, its one state model (handed over on continue-as-new), what
support's query shows, and the interval rule.

Pure: no Temporal calls, so the interval's boundaries are tested without a server.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

# What a poller takes: no carrier's code is longer (store/tracked_shipments.py keeps no
# longer one either), and no carrier EasyPost names is.
TRACKING_CODE_MAX = 100
CARRIER_MAX = 60

# EasyPost statuses after which a tracker says nothing new to a customer: the poll stops.
TERMINAL_STATUSES = frozenset({"delivered", "return_to_sender", "failure", "cancelled"})
# Statuses whose next change is due within hours (delivered, picked up): the quiet wait is
# capped lower, so "delivered" does not reach the customer hours late.
DUE_STATUSES = frozenset({"out_for_delivery", "available_for_pickup"})


def tracking_workflow_id(carrier: str, tracking_code: str) -> str:
    """``tracking:<carrier>:<code>``: one poller per shipment, whoever starts it and however
    it spells the carrier and the code (``UPS``/``ups``, ``1z 999``/``1Z999``: the keys of
    store/tracked_shipments.py); no carrier named (EasyPost then detects it): ``any``."""
    key = "".join(c for c in carrier.lower() if c.isascii() and c.isalnum())
    code = "".join(tracking_code.split()).upper()
    return f"tracking:{key or 'any'}:{code}"


class TrackingPollPolicy(BaseModel):
    """The poller's tunables, from the starter's settings (config/settings.py)."""

    initial_seconds: float = Field(default=120.0, gt=0)  # right after a change
    # The cap while the shipment moves: a change waits at most this long to be seen, so
    # the customer hears of it within the documents' 10 minutes (8 min + the send).
    moving_max_seconds: float = Field(default=480.0, gt=0)
    # Quiet this long (no scan for days: lost in a depot, or forgotten by the carrier), the
    # cap rises to ``max_seconds``: news is unlikely, and EasyPost calls are not free.
    stale_after_seconds: float = Field(default=72 * 3600.0, gt=0)
    max_seconds: float = Field(default=4 * 3600.0, gt=0)  # the cap once stale
    due_max_seconds: float = Field(default=900.0, gt=0)  # the cap while a change is due
    max_age_seconds: float = Field(default=45 * 24 * 3600.0, gt=0)  # then it gives up
    history_event_limit: int = Field(default=2000, ge=50)  # continue-as-new past it


def next_interval(
    current: float,
    changed: bool,
    policy: TrackingPollPolicy,
    status: str | None = None,
    quiet_seconds: float = 0.0,
) -> float:
    """Short again after a change (the next one usually follows soon: out for delivery,
    then delivered), else twice the last wait, at most the cap: ``moving_max_seconds``
    while the shipment moves, ``max_seconds`` once it has been quiet ``stale_after_seconds``
    (``quiet_seconds``: since its last change), and never over ``due_max_seconds`` while
    the status says the next change is due (out for delivery, at a pickup point). No cap
    is under the initial interval."""
    if changed:
        return policy.initial_seconds
    stale = quiet_seconds >= policy.stale_after_seconds
    cap = policy.max_seconds if stale else min(policy.max_seconds, policy.moving_max_seconds)
    if status in DUE_STATUSES:
        cap = min(cap, policy.due_max_seconds)
    return min(current * 2, max(cap, policy.initial_seconds))


class TrackingPollStart(BaseModel):
    """The workflow's input: which shipment, for which order and account, and what an
    earlier run handed over."""

    carrier: str = Field(default="", max_length=CARRIER_MAX)  # empty: EasyPost detects it
    tracking_code: str = Field(min_length=1, max_length=TRACKING_CODE_MAX)
    reference: str = Field(min_length=1, max_length=100)  # the order it ships
    merchant: str | None = None
    source: str = "generic"  # the intake source and account whose event started it
    account: str = "default"
    easypost_account: str = "default"  # whose status table maps its trackers
    policy: TrackingPollPolicy = Field(default_factory=TrackingPollPolicy)
    carried: TrackingPollState | None = None


class TrackingPollState(BaseModel):
    started_at: datetime  # of the first run: the max age counts from here
    interval_seconds: float
    tracker_id: str | None = None
    status: str | None = None  # EasyPost's, as last seen
    status_detail: str | None = None
    polls: int = 0
    changes: int = 0
    last_polled_at: datetime | None = None
    last_change_at: datetime | None = None
    next_poll_at: datetime | None = None
    ended: str | None = None  # why it stopped, in plain words
    runs: int = 1


class TrackingPollView(BaseModel):
    """What support asks the poller (the ``status`` query)."""

    tracking_code: str
    carrier: str
    reference: str
    tracker_id: str | None
    status: str | None
    polls: int
    changes: int
    interval_seconds: float
    last_polled_at: datetime | None
    next_poll_at: datetime | None  # None: it stopped (``ended`` says why) or polls now
    ended: str | None
    runs: int


TrackingPollStart.model_rebuild()
