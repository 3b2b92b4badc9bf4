"""The send policy's throughput check: when may this sender send next? (the send calls it)"""

from __future__ import annotations

import asyncio
import time

from pydantic import BaseModel

from activities.sms_routing import SenderPace
from config.policy import get_policy_settings
from config.settings import Settings
from policy.rules import SenderLimit
from policy.senders import sender_limit
from store.repository import Store

PACING_SHARE = 0.97
SHORT_WAIT_SECONDS = 1.0  # waited inside the activity; longer waits on a durable timer


class SendSlot(BaseModel):
    sender: str
    not_before_epoch: float  # the reserved slot
    # What is left to wait after the short wait here, measured when it ended: the send
    # hands a longer wait to the workflow's durable timer (SENDER_BUSY).
    wait_seconds: float = 0.0


def effective_sender_limit(settings: Settings) -> SenderLimit:
    """The configured limit of Herald's sender (by its kind), or the explicit override."""
    limit = sender_limit(settings.sms_sender, get_policy_settings().rules())
    if settings.sms_sender_messages_per_second:
        return SenderLimit(
            messages_per_second=settings.sms_sender_messages_per_second,
            daily_cap=limit.daily_cap,
        )
    return limit


def reserve_slot(settings: Settings, store: Store, pace: SenderPace | None = None) -> float:
    """The sender's next slot (epoch seconds). Blocking: one write to the store.
    ``pace``: the chosen provider's sender and its pace (None: Herald's Twilio sender)."""
    # Slots a little under the limit: the permit before each send is the hard limit,
    # and slots that leave it headroom are rarely refused one.
    if pace is None:
        sender, per_second = (
            settings.sms_sender,
            effective_sender_limit(settings).messages_per_second,
        )
    else:
        sender, per_second = pace.key, pace.messages_per_second
    return store.sender_limiter.reserve(sender, per_second * PACING_SHARE, time.time())


async def wait_for_slot(sender: str, slot: float) -> SendSlot:
    """Wait for a slot less than a second away; say how long is left of a further one."""
    # A short wait is cheaper here than as a durable timer (a timer costs the server
    # events and a workflow task, and fires late). A restart during it loses nothing:
    # the retried reservation takes a new slot.
    wait = slot - time.time()
    if 0 < wait < SHORT_WAIT_SECONDS:
        await asyncio.sleep(wait)
    return SendSlot(sender=sender, not_before_epoch=slot, wait_seconds=max(0.0, slot - time.time()))
