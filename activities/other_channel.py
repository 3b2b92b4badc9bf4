"""The send of an e-mail or a push notification, around its provider call.

Both record the message's facts first (a retry finds them written), call the provider at
most once per message key (``send_once``), and count the message as sent, with the
event's first update, unless a retry found it sent already. SMS has its own path
(activities/sms.py, decide_and_send.py): routing, reports and sender limits.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from activities.delivery import Delivered, MessageIdentity, send_once
from domain.events import MilestoneEvent
from observability import sends as observe
from observability.logs import logging_context
from store.outbox import NewMessage
from store.repository import Store


async def send_other_channel(
    store: Store,
    identity: MessageIdentity,
    event: MilestoneEvent,
    message: NewMessage,
    send: Callable[[], Awaitable[str]],
    *,
    channel: str,
    provider: str,
    open_tracked: bool = False,
) -> Delivered:
    """Record the facts, send once, count the send; the outbox's answer."""
    recorded = await observe.record_facts(
        store,
        identity.message_key,
        identity.workflow_id,
        event,
        channel=channel,
        provider=provider,
        open_tracked=open_tracked,
    )
    with logging_context(workflow_id=identity.workflow_id, message_key=identity.message_key):
        delivered = await send_once(store, message, send)
    if not delivered.deduplicated:
        first = bool(recorded and recorded.first_of_event)
        observe.other_channel_sent(event, channel, provider, first)
    return delivered
