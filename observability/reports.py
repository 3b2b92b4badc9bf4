"""What the HTTP service tells the people who run Herald about each webhook: a JSON log
line with its outcome, and the counters and delivery-time histogram."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from observability.metrics import DELIVERY_SECONDS, EMAIL_OPENS, MESSAGES, WEBHOOKS
from reporting.figures import delivery_seconds
from store.repository import Store
from store.statuses import ReportedMessage

log = logging.getLogger("herald.webhooks")
UNKNOWN = "unknown"


def webhook(endpoint: str, outcome: str, **fields: str | None) -> None:
    """Count and log one webhook's outcome (accepted, refused_signature, malformed...)."""
    WEBHOOKS.labels(endpoint, outcome).inc()
    level = logging.INFO if outcome in {"accepted", "ignored"} else logging.WARNING
    log.log(
        level,
        "%s webhook %s",
        endpoint,
        outcome,
        extra={"endpoint": endpoint, "outcome": outcome, **{k: v for k, v in fields.items() if v}},
    )


async def final_report(store: Store, reported: ReportedMessage, status: str, at: datetime) -> None:
    """The first final report of an SMS: its outcome and the time since the accept."""
    if not reported.first_final:
        return
    try:
        labels = await asyncio.to_thread(store.message_facts.labels_of, reported.message_key)
    except Exception:
        log.exception("could not read the labels of %s", reported.message_key)
        labels = None
    milestone, country, provider = labels or (UNKNOWN, None, "twilio")
    MESSAGES.labels("sms", status, provider, country or UNKNOWN, milestone).inc()
    handed_over = reported.provider_called_at or reported.sent_at
    if handed_over is not None:  # the KPI page's definition (reporting/figures.py)
        DELIVERY_SECONDS.labels(provider, country or UNKNOWN, status).observe(
            delivery_seconds(handed_over, at)
        )


def email_opened(milestone: str) -> None:
    EMAIL_OPENS.labels(milestone).inc()
