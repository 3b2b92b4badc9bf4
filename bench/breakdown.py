"""Where a milestone's time goes, read back from sampled workflow histories.

For the k-th milestone of an order: the client's signal call -> the server recording the
signal -> a worker starting the next workflow task -> the send activity being scheduled
(workflow code, local activities, and any timers and further workflow tasks on the way)
-> a worker starting the activity -> the sandbox accepting the SMS. Server and sandbox
share this machine's clock. Also counted: workflow tasks and history events per
milestone, which is the work each milestone costs the Temporal server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent

from bench.load import Load
from bench.measure import percentiles

PHASES = (
    "signal_call",  # client call -> signal in history
    "workflow_task_pickup",  # signal recorded -> a worker starts the next workflow task
    "until_activity_scheduled",  # that task's start -> the send activity is scheduled
    "activity_dispatch",  # scheduled -> a worker starts the activity
    "activity_until_accept",  # activity start -> the sandbox accepts the SMS
)
SIGNAL = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
TASK_STARTED = EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED
TASK_COMPLETED = EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
SCHEDULED = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
STARTED = EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
TIMER_STARTED = EventType.EVENT_TYPE_TIMER_STARTED
TIMER_FIRED = EventType.EVENT_TYPE_TIMER_FIRED


def _at(event: HistoryEvent) -> float:
    return event.event_time.ToNanoseconds() / 1e9


@dataclass
class Milestone:
    """One milestone's marks in a history, in seconds since the epoch."""

    signalled: float
    task_started: float | None = None
    scheduled: float | None = None
    activity_started: float | None = None
    timer_waits: list[float] = field(default_factory=list)  # fired - started, on the way


@dataclass
class History:
    milestones: list[Milestone]
    workflow_tasks: int
    events: int


def parse(events: list[HistoryEvent], activities: tuple[str, ...]) -> History:
    """Follow each milestone signal to the send activity it led to (both come in order)."""
    milestones: list[Milestone] = []
    waiting: list[Milestone] = []  # signalled, send not scheduled yet
    by_scheduled_id: dict[int, Milestone] = {}
    timers: dict[int, float] = {}
    tasks = 0
    for event in events:
        kind = event.event_type
        if kind == SIGNAL and _is_milestone(event):
            waiting.append(Milestone(_at(event)))
            milestones.append(waiting[-1])
        elif kind == TASK_STARTED:
            for m in waiting:
                m.task_started = m.task_started or _at(event)
        elif kind == TASK_COMPLETED:
            tasks += 1
        elif kind == TIMER_STARTED:
            timers[event.event_id] = _at(event)
        elif kind == TIMER_FIRED and waiting:
            started = timers.get(event.timer_fired_event_attributes.started_event_id)
            if started is not None:
                waiting[0].timer_waits.append(_at(event) - started)
        elif kind == SCHEDULED and waiting and _activity_name(event) in activities:
            m = waiting.pop(0)
            m.scheduled = _at(event)
            by_scheduled_id[event.event_id] = m
        elif kind == STARTED:
            m = by_scheduled_id.get(event.activity_task_started_event_attributes.scheduled_event_id)
            if m is not None and m.activity_started is None:
                m.activity_started = _at(event)
    return History(milestones, tasks, len(events))


def _is_milestone(event: HistoryEvent) -> bool:
    return event.workflow_execution_signaled_event_attributes.signal_name == "milestone"


def _activity_name(event: HistoryEvent) -> str:
    return event.activity_task_scheduled_event_attributes.activity_type.name


async def breakdown(load: Load, sample: int) -> dict[str, Any]:
    """Percentiles (ms) of each phase over ``sample`` orders spread across the run."""
    orders = len(load.references)
    chosen = sorted({round(i * (orders - 1) / max(sample - 1, 1)) for i in range(sample)})
    sent: dict[int, list[float]] = {}
    for slot, at in zip(load.slots, load.sent_at, strict=True):
        sent.setdefault(slot.order, []).append(at)
    phases: dict[str, list[float]] = {name: [] for name in (*PHASES, "timers_on_the_way")}
    tasks = events = milestones = 0
    for order in chosen:
        handle = load.target.client.get_workflow_handle(
            load.target.workflow_id(load.references[order])
        )
        history = parse(list((await handle.fetch_history()).events), load.target.activities)
        tasks, events = tasks + history.workflow_tasks, events + history.events
        milestones += len(history.milestones)
        accepted = load.accepted.get(load.phones[order], [])
        for m, sent_at, accepted_at in zip(history.milestones, sent[order], accepted, strict=False):
            marks = [sent_at, m.signalled, m.task_started, m.scheduled, m.activity_started]
            for name, (a, b) in zip(PHASES, pairwise([*marks, accepted_at]), strict=True):
                if a is not None and b is not None:
                    phases[name].append((b - a) * 1000)
            phases["timers_on_the_way"].append(sum(m.timer_waits) * 1000)
    per = max(milestones, 1)
    return {
        "phases_ms": {name: percentiles(values) for name, values in phases.items()},
        "workflow_tasks_per_milestone": round(tasks / per, 2),
        "history_events_per_milestone": round(events / per, 1),
        "sampled_orders": len(chosen),
    }
