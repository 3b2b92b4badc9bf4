"""The send policy's throughput check: when may this sender send next?"""

from __future__ import annotations

import asyncio
import time

from pydantic import BaseModel
from temporalio import activity

from config.policy import get_policy_settings
from config.settings import Settings
from policy.rules import SenderLimit
from policy.senders import sender_limit
from store.repository import Store

PACING_SHARE = 0.97
SHORT_WAIT_SECONDS = 1.0  # waited inside the activity; longer waits on a durable timer


class ReserveSlotInput(BaseModel):
    message_key: str


class SendSlot(BaseModel):
    sender: str
    not_before_epoch: float  # the reserved slot
    # What is left to wait after the activity's own short wait, measured when it returned:
    # the workflow waits that on a durable timer. None: recorded before this field existed.
    wait_seconds: float | None = None


def effective_sender_limit(settings: Settings) -> SenderLimit:
    """The configured limit of Herald's sender (by its kind), or the explicit override."""
    limit = sender_limit(settings.sms_sender, get_policy_settings().rules())
    if settings.sms_sender_messages_per_second:
        return SenderLimit(
            messages_per_second=settings.sms_sender_messages_per_second,
            daily_cap=limit.daily_cap,
        )
    return limit


class ThrottleActivities:
    def __init__(self, settings: Settings, store: Store) -> None:
        self._settings = settings
        self._store = store

    @activity.defn(name="reserve_send_slot")
    async def reserve_send_slot(self, request: ReserveSlotInput) -> SendSlot:
        # Not idempotent by design, and harmless: a retried reservation takes one more slot,
        # which only spaces later sends a little further apart.
        return await reserve_and_wait(self._settings, self._store)


async def reserve_and_wait(settings: Settings, store: Store) -> SendSlot:
    """Reserve the sender's next slot; wait for it here when it is less than a second away."""
    slot = await asyncio.to_thread(reserve_slot, settings, store)
    return await wait_for_slot(settings.sms_sender, slot)


def reserve_slot(settings: Settings, store: Store) -> float:
    """The sender's next slot (epoch seconds). Blocking: one write to the store."""
    # Slots a little under the limit: the permit before each send is the hard limit,
    # and slots that leave it headroom are rarely refused one.
    rate = effective_sender_limit(settings).messages_per_second * PACING_SHARE
    return store.sender_limiter.reserve(settings.sms_sender, rate, time.time())


async def wait_for_slot(sender: str, slot: float) -> SendSlot:
    """Wait for a slot less than a second away; say how long is left of a further one."""
    # A short wait is cheaper here than as a durable timer (a timer costs the server
    # events and a workflow task, and fires late). A restart during it loses nothing:
    # the retried reservation takes a new slot.
    wait = slot - time.time()
    if 0 < wait < SHORT_WAIT_SECONDS:
        await asyncio.sleep(wait)
    return SendSlot(sender=sender, not_before_epoch=slot, wait_seconds=max(0.0, slot - time.time()))
