"""A send's wait for its final delivery report, once the provider has accepted it.

A fresh send registered its attempt's task token on the message row and completes
asynchronously: the HTTP service completes it with the final report; if none comes within
the wait, the worker completes it with the accept (activities/report_waits.py) and a later
report is signalled. A send found done (a retry, after a crash) waits no more: it returns
the final report if it came meanwhile. Either way nothing is sent twice (send_once).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from pydantic import BaseModel
from temporalio import activity

from activities.report_waits import ReportWait, ReportWaits
from activities.sms_payloads import SmsSent
from domain.timeline import DeliveryReport
from store.repository import Store
from store.statuses import AwaitedReport

# The calling activity's result for a send, when that is not the ``SmsSent`` itself.
WaitResult = Callable[[SmsSent], BaseModel]


async def with_final_report(
    store: Store,
    report_waits: ReportWaits,
    sent: SmsSent,
    awaited: AwaitedReport | None,
    wait: float,
    completes_as: WaitResult,
    key: str,
) -> SmsSent:
    """``sent`` with its final report, or completed by the HTTP service (raises to say so).

    ``awaited``: this attempt's registration for the report (None: none made), which may
    last ``wait`` seconds; a wait that ends without a report completes with
    ``completes_as(sent)``.
    """
    if awaited is not None and not sent.deduplicated:
        if awaited.registered:
            token = activity.info().task_token
            report_waits.end_after(
                ReportWait(activity.client(), key, token, completes_as(sent)), wait
            )
            activity.raise_complete_async()
        final = awaited.final
    else:
        final = await asyncio.to_thread(store.statuses.stop_awaiting, key)
    if final is None:
        return sent
    report = DeliveryReport(
        provider_message_id=sent.provider_message_id,
        status=final.status,
        error_code=final.error_code,
        occurred_at=final.at,
        message_key=key,
    )
    return sent.model_copy(update={"final_report": report})
