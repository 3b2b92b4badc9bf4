"""The send policy's throughput check: when may this sender send next?"""

from __future__ import annotations

import asyncio
import time

from pydantic import BaseModel
from temporalio import activity

from config.settings import Settings
from store.repository import Store


class ReserveSlotInput(BaseModel):
    message_key: str


class SendSlot(BaseModel):
    sender: str
    not_before_epoch: float  # the reserved slot; the workflow waits for it on a durable timer


class ThrottleActivities:
    def __init__(self, settings: Settings, store: Store) -> None:
        self._settings = settings
        self._store = store

    @activity.defn(name="reserve_send_slot")
    async def reserve_send_slot(self, request: ReserveSlotInput) -> SendSlot:
        # Not idempotent by design, and harmless: a retried reservation takes one more slot,
        # which only spaces later sends a little further apart.
        sender = self._settings.sms_sender
        interval = 1.0 / self._settings.sms_sender_messages_per_second
        slot = await asyncio.to_thread(self._store.pacer.reserve, sender, interval, time.time())
        return SendSlot(sender=sender, not_before_epoch=slot)
