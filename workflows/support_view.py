"""What support sees of an order in the Web UI: current details, search attributes, summaries.

Owns every text Temporal shows support about a notification workflow: the "current
details" (each message's outcome, the latest decisions), the search attributes ops filter
on (upserted only when they change: each upsert is a command, an event and a visibility
write) and the summary of every activity and timer the workflow schedules. A summary is
fixed when the activity is scheduled, so it says what the activity will try ("decide and
send shipped by SMS to +1********67"), never what came of it: outcomes live in the current
details and the history query. Phone numbers appear masked everywhere; callers pass the
masked recipient, never the number.
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


# The UI renders the details' markdown with no cell padding: an em space opens each cell
# after the first, so columns stay apart at its usual width. Few, short columns: the
# provider id, the calls and the text are in the history query.
GAP = "\u2003"
CHANNEL_WORDS = {"sms": "SMS", "email": "e-mail", "push": "push"}


def current_details(history: MessagingHistory) -> str:
    """The Web UI's "current details", in Temporal's markdown: a plain-words timeline."""
    state = history.state.value.replace("_", " ")
    last = f" · last milestone **{history.last_milestone.value}**" if history.last_milestone else ""
    lines = [f"**{history.kind.value.title()} {history.reference}**: {state}{last}", ""]
    if history.messages:
        lines += [
            "| time (UTC) | about | by | to | outcome |",
            "|---|---|---|---|---|",
        ]
        lines += [_row(m) for m in history.messages[-DETAIL_MESSAGES:]]
        routed = [m for m in history.messages[-DETAIL_MESSAGES:] if m.route_reason]
        if routed:  # why each SMS went the way it did (several providers configured)
            lines += ["", "Routing:"]
            lines += [f"- {m.message_key.split(':')[1]}: {m.route_reason}" for m in routed]
    notable = [e for e in history.entries if e.kind.value != "milestone_received"]
    if notable:
        lines += ["", "Recent decisions:"]
        lines += [
            f"- {e.at:%Y-%m-%d %H:%M:%S} {e.kind.value.replace('_', ' ')}: {e.detail}"
            for e in notable[-DETAIL_DECISIONS:]
        ]
    return "\n".join(lines)


def plain_timeline(history: MessagingHistory) -> list[str]:
    """Every message and decision in plain words, oldest first: the ``timeline`` query."""
    lines: list[tuple[object, str]] = []
    for m in history.messages:
        by = CHANNEL_WORDS.get(m.channel.value, m.channel.value)
        steps = ", ".join(f"{s.status.value} {s.at:%H:%M:%S}" for s in m.statuses)
        at = m.statuses[0].at if m.statuses else None
        when = f"{at:%Y-%m-%d %H:%M:%S}" if at else "not sent yet"
        lines.append(
            (
                at,
                f"{when} {_about(m)} by {by} to {m.recipient}: {_outcome(m)}"
                + (f" ({steps})" if steps else ""),
            )
        )
    for e in history.entries:
        lines.append(
            (e.at, f"{e.at:%Y-%m-%d %H:%M:%S} {e.kind.value.replace('_', ' ')}: {e.detail}")
        )
    return [text for _, text in sorted(lines, key=lambda item: (item[0] is None, str(item[0])))]


def _row(message: MessageRecord) -> str:
    at = f"{message.statuses[0].at:%H:%M:%S}" if message.statuses else "—"
    by = CHANNEL_WORDS.get(message.channel.value, message.channel.value)
    if message.provider and message.route_reason:  # routing chose among several providers
        by += f" via {message.provider}"
    cells = [at, _about(message), by]
    cells += [message.recipient, _outcome(message)]
    return "| " + f" |{GAP}".join(cells) + " |"


def _outcome(message: MessageRecord) -> str:
    """The status in words, with the provider's error code and the attempts when they tell."""
    words = message.status.value.replace("_", " ")
    if message.error_code:
        words += f" ({message.error_code})"
    if message.provider_calls > 1:
        words += f" after {message.provider_calls} calls"
    return words


def _about(message: MessageRecord) -> str:
    """The milestone, or what a conversation reply answered (a slot offer, a call-back...)."""
    return f"reply: {message.purpose}" if message.purpose else message.milestone.value


# ---- summaries of activities and timers, as the Web UI lists them ---------------------------


def load_policy_summary() -> str:
    return "load the notification policy"


def record_summary(count: int) -> str:
    return f"record {count} timeline entries"


def policy_facts_summary(event: MilestoneEvent, *, with_sms_text: bool) -> str:
    return f"read consent, preferences and recent sends for {event.milestone.value}" + (
        ", and write its SMS" if with_sms_text else ""
    )


def deciding_send_summary(event: MilestoneEvent, recipient: str) -> str:
    return f"decide and send {event.milestone.value} by SMS to {recipient}"


def sms_summary(event: MilestoneEvent, recipient: str) -> str:
    return f"send {event.milestone.value} by SMS to {recipient}"


def email_summary(event: MilestoneEvent, recipient: str) -> str:
    return f"send {event.milestone.value} by e-mail to {recipient}"


def push_summary(event: MilestoneEvent) -> str:
    return f"send {event.milestone.value} by push"


def slots_summary(event: MilestoneEvent) -> str:
    return f"ask the OMS for delivery slots for {event.reference}"


def booking_summary(event: MilestoneEvent, slot_id: str) -> str:
    return f"book delivery slot {slot_id} for {event.reference} with the OMS"


def support_request_summary(event: MilestoneEvent, *, callback: bool) -> str:
    what = "a call-back request" if callback else "the reply"
    return f"send {what} for {event.reference} to support"


def exception_alert_summary(event: MilestoneEvent) -> str:
    return f"alert support to {event.milestone.value} for {event.reference}"


def compose_reply_summary(purpose: str) -> str:
    return f"write the {purpose} reply"


def grace_timer_summary() -> str:
    return "grace period"


def hold_timer_summary(event: MilestoneEvent) -> str:
    return f"hold {event.milestone.value} until the send policy allows it"


def report_timer_summary(message_key: str) -> str:
    return f"wait for the delivery report of {message_key}"


def backoff_timer_summary() -> str:
    return "wait after an SMS provider error (back-off)"


def lookup_timer_summary() -> str:
    return "wait for the provider's acceptance window, then look for the SMS again"


def sender_timer_summary() -> str:
    return "wait for the sender's next send slot"
