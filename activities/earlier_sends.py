"""Before a re-send, look for the message an earlier call may already have made.

A call that may have reached the provider (a crash, a timeout or a lost answer between
the call and the outbox row's completion) leaves the row claimed without a provider id.
Calling again could send the SMS twice, so a retry first asks the provider's message list
for this recipient and body and adopts the message it finds. Not found, it is not yet
safe to call again: a slow provider may accept the earlier call long after our client
gave up, up to ``sms_accept_window_seconds`` after that call (the acceptance window).
So the Twilio look-up polls until the window has passed, and only then answers "call
again". A look-up is not a provider try and spends no attempt: when the attempt's time
runs short it hands the rest of the window to the workflow as AWAITING_PROVIDER, whose
durable timer waits it out before asking again (workflows/sms_send.py). Vonage and Plivo
are looked up once (their windows: docs/routing.md).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from temporalio import activity

from activities.attempt_clock import CALL_MARGIN_SECONDS, attempt_seconds_left
from activities.delivery import as_activity_error, awaiting_provider
from activities.sms_routing import take_early_reports
from providers.errors import ProviderError
from providers.sms import TwilioSms
from providers.sms_provider import OutboundSms, SmsProvider
from store.outbox import OutboxEntry
from store.repository import Store

# How far before the claim to look for our own message: provider and worker clocks differ.
CLOCK_SLACK_SECONDS = 300
LOOKUP_POLL_SECONDS = 1.0


async def find_earlier_send(
    sms: TwilioSms,
    store: Store,
    accept_window_seconds: float,
    to: str,
    body: str,
    entry: OutboxEntry,
    sender: str | None = None,
) -> str | None:
    """After a call that may have reached Twilio, find the message it made (from
    ``sender``, the one the call used: routing's, else the configured one).

    None (call again) only once the provider would have listed it: the earlier call's
    acceptance window has passed. Until then this looks again every second while the
    attempt lasts, then hands the rest of the window to the workflow (AWAITING_PROVIDER).
    """
    since = entry.created_at - timedelta(seconds=CLOCK_SLACK_SECONDS)
    called_at = entry.provider_called_at or entry.created_at
    window_ends = called_at + timedelta(seconds=accept_window_seconds)
    while True:
        try:
            recent = await sms.recent_messages(to, since=since, sender=sender)
        except ProviderError as error:
            raise as_activity_error(error) from error  # cannot tell: do not risk a second SMS
        match = None
        for candidate in (m for m in recent if m.carries(body)):
            owner = await asyncio.to_thread(store.outbox.owner_of, candidate.sid)
            if owner in (None, entry.message_key):  # not another message's SMS
                match = candidate
                break
        if match is not None:
            activity.logger.info(
                "adopting provider message %s for %s", match.sid, entry.message_key
            )
            return match.sid
        now = datetime.now(UTC)
        if now >= window_ends:
            return None  # the earlier call never reached the provider: call again
        if attempt_seconds_left() < LOOKUP_POLL_SECONDS + CALL_MARGIN_SECONDS:
            message = (
                f"the provider may still accept the earlier call until "
                f"{window_ends.isoformat(timespec='seconds')}: looking again then"
            )
            # Not a provider try: the workflow waits out the window on a durable timer
            # and asks again, without spending the SMS's attempts (workflows/sms_send.py).
            raise awaiting_provider(window_ends.timestamp(), message, entry.provider_calls)
        await asyncio.sleep(LOOKUP_POLL_SECONDS)


async def find_earlier_elsewhere(
    store: Store, adapter: SmsProvider, outbound: OutboundSms, entry: OutboxEntry
) -> str | None:
    """Vonage's or Plivo's look-up before a re-send (their windows: docs/routing.md)."""
    since = entry.created_at - timedelta(seconds=CLOCK_SLACK_SECONDS)
    try:
        found = await adapter.find_sent(outbound, since)
    except ProviderError as error:
        raise as_activity_error(error) from error  # cannot tell: do not risk a second SMS
    if found is None:
        return None

    def expect() -> None:  # the dead worker's reports came long ago: take them now
        now = datetime.now(UTC)
        parts = store.parts.expect(outbound.reference, adapter.name, found.part_ids, now=now)
        take_early_reports(store, parts, now)

    await asyncio.to_thread(expect)
    activity.logger.info("adopting %s message %s", adapter.name, found.provider_message_id)
    return found.provider_message_id
