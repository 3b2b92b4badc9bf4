"""One durable poller per shipment no carrier webhook covers: EasyPost's tracker, asked
at an interval that backs off as the shipment goes quiet (Temporal's "infrequent polling"
pattern: durable timers between short activities, so a poll hours away costs nothing).

- Start: ensure an EasyPost tracker exists (idempotent at EasyPost for the same code and
  carrier), then poll at once.
- Each poll: the ``poll_tracker`` activity reads the tracker and, when its status moved,
  keeps the mapped events in the intake inbox; the dispatcher signals the order's workflow,
  which makes one milestone of the same change seen by a webhook too.
- Interval: ``initial_seconds`` after a change (a shipment that moves keeps moving: out for
  delivery, then delivered), doubling while nothing changes, at most ``moving_max_seconds``
  (8 min: a change reaches the customer within the documents' 10 minutes); only a shipment
  quiet for ``stale_after_seconds`` (days) backs off further, to ``max_seconds``
  (``due_max_seconds`` while out for delivery or at a pickup point). The longest a change
  can wait to be seen is the current interval: the caps trade EasyPost calls for delay.
- Stop: at a final status (delivered, return_to_sender, failure, cancelled), after
  ``max_age_seconds``, or when EasyPost refuses the tracker (a 4xx: an unknown code); the
  result and the ``status`` query say why. Transient errors are the activity's retries.
- Continue-as-new past ``history_event_limit`` events (or when Temporal suggests it), with
  the one state model (tracking_poll_state.py).
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.tracking import (
        REFUSED,
        EnsureTrackerInput,
        PollTrackerInput,
        TrackerFound,
        TrackerPolled,
    )
    from workflows.tracking_poll_state import (
        TERMINAL_STATUSES,
        TrackingPollStart,
        TrackingPollState,
        TrackingPollView,
        next_interval,
    )

CALL_TIMEOUT = timedelta(seconds=60)  # the SDK gives up after 20 s; a retry after this
# EasyPost away: ask again with back-off, never give up (the tracker is still there when it
# comes back); a refusal is final.
EASYPOST_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=10),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=10),
    non_retryable_error_types=[REFUSED],
)


@workflow.defn(name="HeraldTrackingPoller")
class TrackingPollerWorkflow:
    @workflow.init
    def __init__(self, start: TrackingPollStart) -> None:
        self._start = start
        self._state = start.carried or TrackingPollState(
            started_at=workflow.now(), interval_seconds=start.policy.initial_seconds
        )

    @workflow.run
    async def run(self, start: TrackingPollStart) -> TrackingPollView:
        state = self._state
        if state.tracker_id is None:
            await self._ensure_tracker()
        while state.ended is None:
            if state.next_poll_at is not None:
                wait = (state.next_poll_at - workflow.now()).total_seconds()
                if wait > 0:
                    await workflow.sleep(wait, summary=f"next poll in {_span(wait)}")
            await self._poll()
            self._publish()
            if state.ended is None and self._continue_as_new_due():
                await workflow.wait_condition(workflow.all_handlers_finished)
                state.runs += 1
                workflow.continue_as_new(start.model_copy(update={"carried": state}))
        self._publish()
        return self.status()

    @workflow.query(name="status")
    def status(self) -> TrackingPollView:
        start, state = self._start, self._state
        return TrackingPollView(
            tracking_code=start.tracking_code,
            carrier=start.carrier,
            reference=start.reference,
            tracker_id=state.tracker_id,
            status=state.status,
            polls=state.polls,
            changes=state.changes,
            interval_seconds=state.interval_seconds,
            last_polled_at=state.last_polled_at,
            next_poll_at=None if state.ended else state.next_poll_at,
            ended=state.ended,
            runs=state.runs,
        )

    # ---- the calls -------------------------------------------------------------------------

    async def _ensure_tracker(self) -> None:
        start, state = self._start, self._state
        try:
            found = await workflow.execute_activity(
                "ensure_tracker",
                EnsureTrackerInput(carrier=start.carrier, tracking_code=start.tracking_code),
                result_type=TrackerFound,
                start_to_close_timeout=CALL_TIMEOUT,
                retry_policy=EASYPOST_RETRY,
                summary=f"create the EasyPost tracker of {start.carrier} {start.tracking_code}",
            )
        except ActivityError as error:
            state.ended = _refusal(error)
            return
        state.tracker_id = found.tracker_id

    async def _poll(self) -> None:
        start, state = self._start, self._state
        assert state.tracker_id is not None
        try:
            polled = await workflow.execute_activity(
                "poll_tracker",
                PollTrackerInput(
                    tracker_id=state.tracker_id,
                    known_status=state.status,
                    known_detail=state.status_detail,
                    reference=start.reference,
                    merchant=start.merchant,
                    easypost_account=start.easypost_account,
                ),
                result_type=TrackerPolled,
                start_to_close_timeout=CALL_TIMEOUT,
                retry_policy=EASYPOST_RETRY,
                summary=f"poll tracker {state.tracker_id} (last seen {state.status or 'never'})",
            )
        except ActivityError as error:
            state.ended = _refusal(error)
            return
        now = workflow.now()
        state.polls += 1
        state.last_polled_at = now
        if polled.changed:
            state.status, state.status_detail = polled.status, polled.status_detail
            state.changes += 1
            state.last_change_at = now
        quiet = now - (state.last_change_at or state.started_at)
        state.interval_seconds = next_interval(
            state.interval_seconds,
            polled.changed,
            start.policy,
            polled.status,
            quiet.total_seconds(),
        )
        if polled.status in TERMINAL_STATUSES:
            state.ended = f"the shipment is {polled.status}"
        elif (now - state.started_at).total_seconds() >= start.policy.max_age_seconds:
            state.ended = f"no final status after {_span(start.policy.max_age_seconds)}"
        else:
            state.next_poll_at = now + timedelta(seconds=state.interval_seconds)

    # ---- bounded history and what support sees ---------------------------------------------

    def _continue_as_new_due(self) -> bool:
        info = workflow.info()
        limit = self._start.policy.history_event_limit
        return info.is_continue_as_new_suggested() or info.get_current_history_length() >= limit

    def _publish(self) -> None:
        view = self.status()
        lines = [
            f"**Tracking {view.carrier} {view.tracking_code}** for order {view.reference}: "
            f"{view.status or 'not seen yet'}",
            "",
            f"- polls: {view.polls}, changes: {view.changes}, tracker: {view.tracker_id or '-'}",
        ]
        if view.ended:
            lines.append(f"- stopped: {view.ended}")
        elif view.next_poll_at:
            lines.append(f"- next poll: {view.next_poll_at:%Y-%m-%d %H:%M:%S} UTC")
        workflow.set_current_details("\n".join(lines))


def _refusal(error: ActivityError) -> str:
    """Why EasyPost's refusal ends the poll; anything else is not ours to swallow."""
    cause = error.cause
    if isinstance(cause, ApplicationError) and cause.type == REFUSED:
        return cause.message
    raise error


def _span(seconds: float) -> str:
    if seconds >= 86400:
        return f"{seconds / 86400:g} d"
    if seconds >= 3600:
        return f"{seconds / 3600:g} h"
    return f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s"
