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
from collections.abc import Mapping
from datetime import UTC, datetime

from pydantic import BaseModel
from temporalio import activity

from activities.delivery import as_activity_error
from domain.timeline import DeliveryReport, delivery_status_from_twilio
from providers.errors import ProviderError
from providers.sms import TwilioSms
from providers.sms_provider import SmsProvider
from store.repository import Store


class ReconcileInput(BaseModel):
    message_key: str
    provider_message_id: str
    provider: str = "twilio"  # the provider that took it (records.provider)


class Reconciled(BaseModel):
    """The message's final report, if the store or the provider has one."""

    report: DeliveryReport | None = None
    source: str | None = None  # "store" or "provider"
    provider_status: str | None = None  # the provider's word when not final yet


class ReconcileActivities:
    def __init__(
        self, store: Store, sms: TwilioSms, others: Mapping[str, SmsProvider] | None = None
    ) -> None:
        self._store = store
        self._sms = sms
        self._others = others or {}  # Vonage's and Plivo's adapters, when routing is on

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
            word, error_code = await self._provider_status(request)
        except ProviderError as error:
            raise as_activity_error(error) from error
        status = delivery_status_from_twilio(word)
        if status is None or not status.is_final:
            return Reconciled(provider_status=word)
        report = DeliveryReport(
            provider_message_id=sid,
            status=word,
            error_code=error_code,
            occurred_at=datetime.now(UTC),
            message_key=key,
        )
        await asyncio.to_thread(
            self._store.statuses.record,
            sid,
            word,
            error_code,
            report.occurred_at,
            message_key=key,
            final=True,
        )
        activity.logger.info("delivery report for %s reconciled from the provider", key)
        return Reconciled(report=report, source="provider")

    async def _provider_status(self, request: ReconcileInput) -> tuple[str, str | None]:
        """The provider's word for the message now (the common vocabulary), and its error."""
        adapter = self._others.get(request.provider)
        if request.provider == "twilio" or adapter is None:
            message = await self._sms.message(request.provider_message_id)
            return message.status, message.error_code
        return await adapter.fetch_status(request.provider_message_id), None
