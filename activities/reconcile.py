"""Before falling back for want of a delivery report, ask for it: the store, then the provider.

A report can be lost: Twilio retries a webhook only when the connection fails, so a
callback that met an error, or whose signal never reached the workflow, is gone. Twilio's
advice for missed callbacks is to fetch the message. This activity first reads the store
(the callback may have come and only its hand-over failed), then fetches the message from
the provider; a final status found there is recorded like a callback (so store and workflow
agree) and returned. A delivered SMS then never also goes out by e-mail.

Idempotent: reads, and a record of the same report twice is counted, not stored again
(store/statuses.py).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from pydantic import BaseModel
from temporalio import activity

from activities.delivery import as_activity_error
from domain.timeline import DeliveryReport, delivery_status_from_twilio
from providers.errors import ProviderError
from providers.sms import TwilioSms
from store.repository import Store


class ReconcileInput(BaseModel):
    message_key: str
    provider_message_id: str


class Reconciled(BaseModel):
    """The message's final report, if the store or the provider has one."""

    report: DeliveryReport | None = None
    source: str | None = None  # "store" or "provider"
    provider_status: str | None = None  # the provider's word when not final yet


class ReconcileActivities:
    def __init__(self, store: Store, sms: TwilioSms) -> None:
        self._store = store
        self._sms = sms

    @activity.defn(name="reconcile_delivery_report")
    async def reconcile_delivery_report(self, request: ReconcileInput) -> Reconciled:
        key, sid = request.message_key, request.provider_message_id
        final = await asyncio.to_thread(self._store.statuses.final_of, key)
        if final is not None:
            report = DeliveryReport(
                provider_message_id=sid,
                status=final.status,
                error_code=final.error_code,
                occurred_at=final.at,
                message_key=key,
            )
            return Reconciled(report=report, source="store")
        try:
            message = await self._sms.message(sid)
        except ProviderError as error:
            raise as_activity_error(error) from error
        status = delivery_status_from_twilio(message.status)
        if status is None or not status.is_final:
            return Reconciled(provider_status=message.status)
        report = DeliveryReport(
            provider_message_id=sid,
            status=message.status,
            error_code=message.error_code,
            occurred_at=datetime.now(UTC),
            message_key=key,
        )
        await asyncio.to_thread(
            self._store.statuses.record,
            sid,
            message.status,
            message.error_code,
            report.occurred_at,
            message_key=key,
            final=True,
        )
        activity.logger.info("delivery report for %s reconciled from the provider", key)
        return Reconciled(report=report, source="provider")
