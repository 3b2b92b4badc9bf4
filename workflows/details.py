"""The Web UI's "current details" of a notification workflow, in Temporal's markdown."""

from __future__ import annotations

from domain.timeline import MessageRecord, MessagingHistory


def current_details(history: MessagingHistory) -> str:
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
        for m in history.messages[-12:]:
            lines.append(
                f"| {_about(m)} | {m.channel.value} | {m.recipient} | {m.status.value} "
                f"| {m.provider_message_id or ''} | {m.provider_calls} | {m.error_code or ''} |"
            )
    notable = [e for e in history.entries if e.kind.value != "milestone_received"][-5:]
    if notable:
        lines += ["", "Recent decisions:"]
        lines += [f"- {e.at:%Y-%m-%d %H:%M:%S} {e.kind.value}: {e.detail}" for e in notable]
    return "\n".join(lines)


def _about(message: MessageRecord) -> str:
    """The milestone, or what a conversation reply answered (a slot offer, a call-back...)."""
    return f"reply: {message.purpose}" if message.purpose else message.milestone.value
