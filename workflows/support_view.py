"""What support sees of an order in the Web UI: current details, search attributes, summaries.

Owns every text Temporal shows support about a notification workflow: the "current
details" table, the search attributes ops filter on (upserted only when they change: each
upsert is a command, an event and a visibility write) and the summary of every activity
and timer the workflow schedules. Phone numbers appear masked everywhere; callers pass
the masked recipient, never the number.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.events import MilestoneEvent
    from domain.timeline import MessageRecord, MessagingHistory
    from workflows import search_attributes as attrs

DETAIL_MESSAGES = 12  # the latest messages in the details table
DETAIL_DECISIONS = 5  # the latest decisions under it


class SupportView:
    """Publishes one run's history to the Web UI: details always, search attributes on change."""

    def __init__(self) -> None:
        self._published: dict[str, str] = {}  # search attributes as last upserted

    def publish(self, history: MessagingHistory, *, search: bool = True) -> None:
        workflow.set_current_details(current_details(history))
        if search:
            self._upsert_changed(history)

    def _upsert_changed(self, history: MessagingHistory) -> None:
        values = {
            attrs.ORDER_ID: history.reference,
            attrs.KIND: history.kind.value,
            attrs.LAST_MILESTONE: (
                history.last_milestone.value if history.last_milestone else "none"
            ),
            attrs.NOTIFICATION_STATE: history.state.value,
        }
        changed = {k: v for k, v in values.items() if self._published.get(k.name) != v}
        if changed:
            self._published.update({k.name: v for k, v in changed.items()})
            workflow.upsert_search_attributes([k.value_set(v) for k, v in changed.items()])


def current_details(history: MessagingHistory) -> str:
    """The Web UI's "current details", in Temporal's markdown."""
    lines = [
        f"**{history.kind.value.title()} {history.reference}**: "
        f"{history.state.value.replace('_', ' ')}"
        + (
            f", last milestone **{history.last_milestone.value}**" if history.last_milestone else ""
        ),
        "",
    ]
    if history.messages:
        lines += [
            "| about | channel | to | status | provider id | calls | error |",
            "|---|---|---|---|---|---|---|",
        ]
        for m in history.messages[-DETAIL_MESSAGES:]:
            lines.append(
                f"| {_about(m)} | {m.channel.value} | {m.recipient} | {m.status.value} "
                f"| {_provider_id(m)} | {m.provider_calls} | {m.error_code or ''} |"
            )
        routed = [m for m in history.messages[-DETAIL_MESSAGES:] if m.route_reason]
        if routed:  # why each SMS went the way it did (several providers configured)
            lines += ["", "Routing:"]
            lines += [f"- {m.message_key.split(':')[1]}: {m.route_reason}" for m in routed]
    notable = [e for e in history.entries if e.kind.value != "milestone_received"]
    if notable:
        lines += ["", "Recent decisions:"]
        lines += [
            f"- {e.at:%Y-%m-%d %H:%M:%S} {e.kind.value}: {e.detail}"
            for e in notable[-DETAIL_DECISIONS:]
        ]
    return "\n".join(lines)


def _provider_id(message: MessageRecord) -> str:
    """The provider's message id, with the provider's name when routing chose one."""
    if message.provider and message.route_reason:
        return f"{message.provider}: {message.provider_message_id or ''}"
    return message.provider_message_id or ""


def _about(message: MessageRecord) -> str:
    """The milestone, or what a conversation reply answered (a slot offer, a call-back...)."""
    return f"reply: {message.purpose}" if message.purpose else message.milestone.value


# ---- summaries of activities and timers, as the Web UI lists them ---------------------------


def load_policy_summary() -> str:
    return "load notification policy"


def record_summary(count: int) -> str:
    return f"record {count} timeline entries"


def policy_facts_summary(event: MilestoneEvent, *, with_sms_text: bool) -> str:
    return f"send policy for {event.milestone.value}: consent, preferences, recent sends" + (
        ", SMS text" if with_sms_text else ""
    )


def deciding_send_summary(event: MilestoneEvent, recipient: str) -> str:
    return f"send policy, then SMS {event.milestone.value} to {recipient}"


def sms_summary(event: MilestoneEvent, recipient: str) -> str:
    return f"SMS {event.milestone.value} to {recipient}"


def email_summary(event: MilestoneEvent, recipient: str) -> str:
    return f"e-mail {event.milestone.value} to {recipient}"


def push_summary(event: MilestoneEvent) -> str:
    return f"push {event.milestone.value}"


def slots_summary(event: MilestoneEvent) -> str:
    return f"delivery slots for {event.reference} from the OMS"


def booking_summary(event: MilestoneEvent, slot_id: str) -> str:
    return f"book delivery slot {slot_id} for {event.reference}"


def support_request_summary(event: MilestoneEvent, *, callback: bool) -> str:
    return f"{'call-back request' if callback else 'reply'} for {event.reference} to support"


def exception_alert_summary(event: MilestoneEvent) -> str:
    return f"{event.milestone.value} alert for {event.reference} to support"


def compose_reply_summary(purpose: str) -> str:
    return f"write the {purpose} reply"


def grace_timer_summary() -> str:
    return "grace period"


def hold_timer_summary(event: MilestoneEvent) -> str:
    return f"{event.milestone.value} held by the send policy"


def report_timer_summary(message_key: str) -> str:
    return f"delivery report for {message_key}"


def backoff_timer_summary() -> str:
    return "SMS provider error: back-off"


def sender_timer_summary() -> str:
    return "sender at its limit"
