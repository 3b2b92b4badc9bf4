"""Send one SMS, exactly once per message key, whatever crashes and retries happen.

Twilio's Messages API takes no idempotency key, so the outbox row stands in for one:
1. the row is claimed (and the call recorded) before the provider is called;
2. a completed row returns its provider id without calling again;
3. a row whose earlier call may have reached the provider (a crash, a timeout or a lost
   response between the call and step 4) asks the provider's message list for this
   recipient and body first (queued messages included: providers/sms.py), and adopts the
   message it finds. Not found, it keeps looking until the earlier call's acceptance
   window has passed (``sms_accept_window_seconds`` after that call: a slow provider may
   take the message long after our client gave up), and only then calls again. A
   look-up is not a provider try: past its attempt's time it hands the rest of the
   window to the workflow's durable timer (AWAITING_PROVIDER), spending no attempt
   (activities/earlier_sends.py);
4. the provider's id completes the row.
A call that certainly never reached the provider (a refused connection, an error answer)
is taken back at once, so an outage costs no wait. The first call itself waits for the
provider's answer for as long as the attempt's timeout allows. What remains: a provider
that accepts a message later than the window after the call, or whose list never shows it.

With several providers the route chooses which one carries it (activities/routed_send.py);
a send asked to wait for its final report waits after step 4 (activities/final_report.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from opentelemetry import propagate
from opentelemetry.trace import SpanKind
from pydantic import BaseModel
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.attempt_clock import attempt_seconds_left, call_timeout
from activities.delivery import (
    OPTED_OUT,
    new_outbox_message,
    rejected,
    send_once,
    sender_busy,
)
from activities.earlier_sends import find_earlier_elsewhere, find_earlier_send
from activities.final_report import WaitResult, with_final_report
from activities.report_waits import ReportWaits
from activities.routed_send import callback_url, provider_leg, record_accept, send_along_route
from activities.sms_payloads import SendSmsInput, SmsSent  # importers find them here too
from activities.sms_routing import SenderPace, SmsRouter, take_early_reports
from activities.throttle import effective_sender_limit, reserve_slot, wait_for_slot
from config.policy import get_policy_settings
from config.settings import Settings
from observability.tracing import tracer
from policy.rules import SenderLimit
from policy.senders import is_back_pressure
from providers.errors import ProviderError
from providers.sms import TwilioSms
from providers.sms_provider import SentSms
from store.message_routes import MessageRoute
from store.outbox import OutboxEntry
from store.repository import Store
from store.send_window import SendPermit
from store.statuses import AwaitedReport

# A sender busy for longer than this hands the wait to the workflow's durable timer.
MAX_WAIT_IN_ACTIVITY_SECONDS = 2.0
NEGLIGIBLE_WAIT_SECONDS = 0.05  # less left of a slot's wait is not worth a durable timer
# A report wait ends this long before the activity's timeout: the worker's own completion
# must reach the server first, or the activity times out and is retried.
REPORT_WAIT_MARGIN_SECONDS = 2.0


def _itself(sent: SmsSent) -> BaseModel:
    return sent


@dataclass
class _ProviderCall:
    """One attempt's call, as its steps learn it."""

    permit: SendPermit | None = None  # the sender's permit, taken right before the call
    awaited: AwaitedReport | None = None  # registered for the final report, or it came
    wait: float = 0.0  # how long the registered wait may last


class SmsActivities:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        sms: TwilioSms,
        report_waits: ReportWaits | None = None,
        router: SmsRouter | None = None,
    ) -> None:
        self._settings = settings
        self._store = store
        self._sms = sms
        self._report_waits = report_waits or ReportWaits(store.statuses)
        self._router = router

    @activity.defn(name="send_sms")
    async def send_sms(self, request: SendSmsInput) -> SmsSent:
        return await self.send(request)

    @property
    def store(self) -> Store:
        return self._store

    async def send(
        self,
        request: SendSmsInput,
        *,
        completes_as: WaitResult = _itself,
        on_accepted: Callable[[str], None] | None = None,
    ) -> SmsSent:
        """The send itself, for this activity and for one that decides first.

        ``completes_as``: the calling activity's result for a send, when that is not the
        ``SmsSent`` itself; a report wait that ends without a report completes with it.
        ``on_accepted``: called once when this attempt's provider call was accepted, with
        the provider that took it.

        With several providers, the message's route (kept with it: a retry takes the same)
        orders them; an outage that certainly did not reach a provider, or its refusal of
        the route, moves on to the next one at once, each under its own outbox key
        (routing/keys.py), so each provider sends it at most once
        (activities/routed_send.py).
        """
        key = request.identity.message_key
        router = self._router
        if router is None or (not router.routes and request.provider in (None, "twilio")):
            return await self._send_via(request, "twilio", key, completes_as, None, on_accepted)

        async def send_via(provider: str, provider_key: str, route: MessageRoute) -> SmsSent:
            return await self._send_via(
                request, provider, provider_key, completes_as, route, on_accepted
            )

        parts = request.segments or 1
        return await send_along_route(router, key, request.to, parts, request.provider, send_via)

    async def _send_via(
        self,
        request: SendSmsInput,
        provider: str,
        key: str,
        completes_as: WaitResult,
        route: MessageRoute | None = None,
        on_accepted: Callable[[str], None] | None = None,
    ) -> SmsSent:
        """One provider's send under its outbox key ``key``."""
        leg = provider_leg(
            self._settings, self._router, provider, key, request.to, request.body, route
        )
        adapter, outbound, pace = leg.adapter, leg.outbound, leg.pace
        accepted: list[SentSms] = []
        identity = request.identity.model_copy(update={"message_key": key})
        message = new_outbox_message(
            identity,
            request.to,
            request.body,
            encoding=request.encoding,
            segments=request.segments,
            estimated_cost_usd=request.estimated_cost_usd,
            awaits_report=request.report_wait_seconds > 0,
        )
        call = _ProviderCall()

        async def send() -> str:
            # The permit is taken right before the call, so nothing (such as the outbox
            # write) sits between the limiter's clock and the provider's.
            try:
                call.permit = await self._take_send_permit(pace)
            except ApplicationError:  # refused: the call recorded at the claim never happened
                await asyncio.to_thread(self._store.outbox.call_not_made, key)
                raise
            try:
                # The provider call's span; the callback URL carries it, so the delivery
                # report joins the trace under it.
                with tracer().start_as_current_span(
                    f"{provider} send",
                    kind=SpanKind.CLIENT,
                    attributes={"herald.message_key": key, "herald.provider": provider},
                ) as span:
                    if adapter is None:  # Twilio: providers/sms.py, with its answer window
                        sent_id = (
                            await self._sms.send(
                                request.to,
                                request.body,
                                self._status_callback(key),
                                answer_within=call_timeout(),
                                sender=outbound.sender,  # routing's, for the country
                            )
                        ).sid
                    else:
                        taken = await adapter.send(outbound)
                        accepted.append(taken)
                        sent_id = taken.provider_message_id
                    span.set_attribute("herald.provider_id", sent_id)
            except BaseException as error:
                await asyncio.to_thread(self._settle, call.permit, pace)
                if isinstance(error, ProviderError):
                    if not error.may_have_reached:  # a retry need not look for it
                        await asyncio.to_thread(self._store.outbox.call_not_made, key)
                    await self._slow_down_if_asked(error, pace)
                raise
            return sent_id

        def complete(provider_id: str) -> None:
            """Every write after the provider's accept, in one thread hop: the outbox row,
            the permit's stamp and the registration for the final report."""
            self._store.outbox.complete(key, provider_id, datetime.now(UTC))
            if accepted:  # reports come per part (Vonage) and are folded in the store
                now = datetime.now(UTC)
                parts = self._store.parts.expect(key, provider, accepted[0].part_ids, now=now)
                take_early_reports(self._store, parts, now)
            if call.permit is not None:
                self._settle(call.permit, pace)
            if request.report_wait_seconds > 0 and (wait := _report_wait_left(request)) > 0:
                token = activity.info().task_token
                call.awaited, call.wait = self._store.statuses.await_final(key, token), wait

        async def adopt(entry: OutboxEntry) -> str | None:
            if adapter is None:
                window = self._settings.sms_accept_window_seconds
                return await find_earlier_send(
                    self._sms,
                    self._store,
                    window,
                    request.to,
                    request.body,
                    entry,
                    sender=outbound.sender,
                )
            return await find_earlier_elsewhere(self._store, adapter, outbound, entry)

        await self._check_consent_and_pace(request, pace)
        delivered = await send_once(self._store, message, send, adopt=adopt, complete=complete)
        if on_accepted is not None and not delivered.deduplicated:
            on_accepted(provider)
        if route is not None and not delivered.deduplicated:
            await record_accept(
                self._router,  # type: ignore[arg-type]
                key,
                provider,
                route,
                accepted,
                request.estimated_cost_usd,
            )
        sent = SmsSent(
            provider_message_id=delivered.provider_message_id,
            provider_calls=delivered.provider_calls,
            deduplicated=delivered.deduplicated,
            accepted_at=datetime.now(UTC),
            provider=provider,
            route_reason=route.reason if route is not None else None,
            route_order=list(route.order) if route is not None else [],
        )
        if request.report_wait_seconds <= 0:
            return sent
        return await with_final_report(
            self._store, self._report_waits, sent, call.awaited, call.wait, completes_as, key
        )

    async def _check_consent_and_pace(
        self, request: SendSmsInput, pace: SenderPace | None = None
    ) -> None:
        """Never text an opted-out number (a STOP may arrive after the policy decided), and
        keep to the sender's pace: both reads and the reservation in one thread hop.

        The pacing slot is reserved on first attempts only: a retry is already spaced by
        the retry policy (and still takes a permit right before the provider call), so a
        crash or a provider error does not take a second slot. A short wait for the slot
        happens here; a slot too far away is handed back as SENDER_BUSY, and the workflow
        sleeps until it and calls again without reserving. ``pace``: the chosen provider's
        sender (None: Herald's Twilio sender), whose slot it is.
        """
        reserve = request.reserve_slot and activity.info().attempt == 1

        def check() -> tuple[bool, float | None]:
            slot = reserve_slot(self._settings, self._store, pace) if reserve else None
            return self._store.consent.is_opted_out(request.to), slot

        opted_out, slot = await asyncio.to_thread(check)
        if opted_out:
            raise rejected(OPTED_OUT, "the number replied STOP: no SMS until it replies START")
        if slot is None:
            return
        sender = pace.key if pace is not None else self._settings.sms_sender
        reserved = await wait_for_slot(sender, slot)
        if (reserved.wait_seconds or 0.0) >= NEGLIGIBLE_WAIT_SECONDS:
            raise sender_busy(reserved.not_before_epoch, "pacing")

    def _settle(self, permit: SendPermit, pace: SenderPace | None = None) -> None:
        """Re-stamp the permit when the provider has answered, by the database's clock."""
        sender = pace.key if pace is not None else self._settings.sms_sender
        self._store.sender_limiter.settle(sender, permit.at, None, permit.slot)

    async def _take_send_permit(self, pace: SenderPace | None = None) -> SendPermit:
        """The sender's limit, across every worker: wait briefly here, longer in the workflow.
        ``pace``: another provider's sender and its limit (None: Herald's Twilio sender)."""
        limiter = self._store.sender_limiter
        if pace is None:
            sender, limit = self._settings.sms_sender, effective_sender_limit(self._settings)
        else:
            sender, limit = pace.key, SenderLimit(messages_per_second=pace.messages_per_second)
        while True:
            permit = await asyncio.to_thread(
                limiter.acquire,
                sender,
                limit.messages_per_second,
                None,  # stamped by the database's clock: one clock for every worker
                daily_cap=limit.daily_cap,
            )
            if permit.granted:
                return permit
            if permit.wait_seconds > MAX_WAIT_IN_ACTIVITY_SECONDS:
                raise sender_busy(permit.retry_at or time.time(), permit.refusal or "busy")
            await asyncio.sleep(permit.wait_seconds)

    async def _slow_down_if_asked(self, error: ProviderError, pace: SenderPace | None) -> None:
        """The provider asked to slow down (a 429): its own sender slows, not another's."""
        if not is_back_pressure(error.http_status, error.code):
            return
        rules = get_policy_settings().rules()
        await asyncio.to_thread(
            self._store.sender_limiter.report_back_pressure,
            pace.key if pace is not None else self._settings.sms_sender,
            time.time(),
            factor=rules.back_pressure_factor,
            min_factor=rules.back_pressure_min_factor,
            cool_down_seconds=rules.back_pressure_seconds,
            pause_seconds=error.retry_after_seconds or 0.0,
        )

    def _status_callback(self, message_key: str) -> str:
        url = callback_url(self._settings, "twilio", message_key)
        # The trace's context rides in the (signed) URL: the status callback joins the trace.
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        if traceparent := carrier.get("traceparent"):
            url += f"&traceparent={quote(traceparent, safe='')}"
        return url


def _report_wait_left(request: SendSmsInput) -> float:
    """The wait asked for, cut to end before the activity's own timeout."""
    return min(request.report_wait_seconds, attempt_seconds_left() - REPORT_WAIT_MARGIN_SECONDS)
