"""The notification workflow's whole state, one model, handed over on continue-as-new."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from activities.policy import WorkflowPolicy
from conversation.dialogue import CustomerReply, DialogueState
from domain.events import MilestoneEvent
from domain.milestones import Kind, Milestone
from domain.timeline import Channel, DeliveryReport, MessagingHistory
from policy.duplicates import NotifiedMilestone
from providers.support import ConversationLine

CONVERSATION_LINES_KEPT = 20  # what support gets with a hand-over


class AwaitingReport(BaseModel):
    """An SMS handed to the provider whose final delivery report has not come yet."""

    message_key: str
    event: MilestoneEvent  # what to fall back with if the report says it failed
    deadline: datetime
    fallback_channels: list[Channel] | None = None  # None: every channel the customer has
    occurrence: int | None = None


class Parked(BaseModel):
    """A message the send policy held back: it is decided again when its timer fires."""

    event: MilestoneEvent
    received_at: datetime
    arrival: int  # its place among the order's arrivals: later ones may supersede it
    occurrence: int  # for its message key, fixed when it arrived
    until: datetime | None = None
    merge: bool = False  # over a frequency cap: the order's next message carries the news
    notified_when_parked: int = 0
    rule: str | None = None  # the send-policy rule it waits for (quiet_hours, frequency_cap...)


class CarriedState(BaseModel):
    history: MessagingHistory
    seen_event_ids: list[str] = Field(default_factory=list)
    pending: list[MilestoneEvent] = Field(default_factory=list)
    last_rank: int = 0
    last_event_at: datetime | None = None
    terminal_reached_at: datetime | None = None
    occurrences: dict[str, int] = Field(default_factory=dict)  # per milestone: message keys
    awaiting: list[AwaitingReport] = Field(default_factory=list)
    early_reports: list[DeliveryReport] = Field(default_factory=list)  # before their send returned
    notified: list[NotifiedMilestone] = Field(default_factory=list)  # decided to send
    arrivals: list[Milestone] = Field(default_factory=list)  # in the order they were taken in
    parked: list[Parked] = Field(default_factory=list)
    runs: int = 1
    # Two-way: the latest milestone (what replies are about), replies waiting to be
    # answered, the open question, and the recent lines support gets with a hand-over.
    last_event: MilestoneEvent | None = None
    replies: list[CustomerReply] = Field(default_factory=list)
    seen_reply_ids: list[str] = Field(default_factory=list)
    dialogue: DialogueState = Field(default_factory=DialogueState)
    conversation: list[ConversationLine] = Field(default_factory=list)

    def remember_line(self, direction: str, text: str, at: datetime) -> None:
        """A line of the conversation, for support's hand-over: the latest ones only."""
        self.conversation.append(ConversationLine(at=at, direction=direction, text=text))
        del self.conversation[:-CONVERSATION_LINES_KEPT]


class NotificationStart(BaseModel):
    """The workflow's input: which order or return, and what an earlier run handed over."""

    kind: Kind
    reference: str
    carried: CarriedState | None = None
    # The tunables, from the starter's settings: the run then needs no local activity to
    # load them. None: the run loads the worker's (after a continue-as-new always, so a
    # changed setting reaches an order that lives for weeks at its next run).
    policy: WorkflowPolicy | None = None
