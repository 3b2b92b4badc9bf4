"""What the SMS send takes and returns: the payloads workflows pass it and record.

Kept apart from the send itself (activities/sms.py, which still exports both names) so
the final-report wait (activities/final_report.py) and the send share them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel

from activities.delivery import MessageIdentity
from domain.timeline import DeliveryReport


class SendSmsInput(BaseModel):
    identity: MessageIdentity
    to: str  # E.164; only the provider call sees it unmasked
    body: str
    encoding: str | None = None
    segments: int | None = None
    estimated_cost_usd: Decimal | None = None
    # Reserve the sender's pacing slot (on the first attempt): a milestone's SMS does;
    # a reply, awaited by the customer, does not (the permit still keeps the limit).
    reserve_slot: bool = False
    # Above 0: stay open (asynchronously, holding no worker slot) until the final delivery
    # report completes this activity, for at most this long; then the worker completes it
    # with the accept. 0: return on the accept.
    report_wait_seconds: float = 0.0
    # The provider to send through; None: routing chooses (activities/sms_routing.py),
    # which with Twilio alone configured is Twilio.
    provider: str | None = None


class SmsSent(BaseModel):
    provider_message_id: str
    provider_calls: int
    deduplicated: bool  # True: no new provider call, an earlier one already had it
    accepted_at: datetime | None = None  # when the provider took it (absent: the workflow's now)
    final_report: DeliveryReport | None = None  # when the activity waited for it
    provider: str = "twilio"  # the provider that took it
    route_reason: str | None = None  # why routing chose it (None: no choice to make)
    route_order: list[str] = []  # the providers in the order routing would try them
