"""Herald's own Prometheus metrics, the same names in every process that records them.

Labels stay few and bounded (no order id, no number): country is the destination's ISO
code, provider the SMS or e-mail provider's name, rule one of the send policy's rules.
The worker records sends, policy decisions and fallbacks; the HTTP service records delivery
reports, webhooks and e-mail opens. Each process serves its registry at ``/metrics``.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

# A *_created series per labelled counter doubles the scrape for nothing we chart.
disable_created_metrics()
REGISTRY = CollectorRegistry(auto_describe=True)

# Delivery times from seconds to the report timeout's order (10 minutes) and beyond.
DELIVERY_BUCKETS = (0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800)
# The event-to-first-update target is 10 minutes; the buckets straddle it.
FIRST_UPDATE_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 4 * 3600)

MESSAGES = Counter(
    "herald_messages",
    "Messages by what became of them: accepted and refused at the send; delivered, "
    "undelivered and failed by the provider's final report; sent for e-mail and push.",
    ["channel", "outcome", "provider", "country", "milestone"],
    registry=REGISTRY,
)
SMS_SEGMENTS = Counter(
    "herald_sms_segments",
    "SMS segments the provider accepted (each is billed)",
    ["provider", "country"],
    registry=REGISTRY,
)
SMS_COST = Counter(
    "herald_sms_cost_usd",
    "Estimated cost in US dollars of the SMS the provider accepted",
    ["provider", "country"],
    registry=REGISTRY,
)
DELIVERY_SECONDS = Histogram(
    "herald_sms_delivery_seconds",
    "From the provider's accept to its final delivery report",
    ["provider", "country", "outcome"],
    buckets=DELIVERY_BUCKETS,
    registry=REGISTRY,
)
FIRST_UPDATE_SECONDS = Histogram(
    "herald_first_update_seconds",
    "From the OMS event to the customer's first message about it (provider's accept)",
    ["kind", "milestone", "channel"],
    buckets=FIRST_UPDATE_BUCKETS,
    registry=REGISTRY,
)
POLICY_DECISIONS = Counter(
    "herald_policy_decisions",
    "The send policy's decisions by action (send, hold, suppress, merge...) and rule",
    ["action", "rule", "milestone"],
    registry=REGISTRY,
)
FALLBACKS = Counter(
    "herald_fallbacks",
    "Messages sent on another channel because the SMS did not get through",
    ["to_channel", "reason"],
    registry=REGISTRY,
)
WEBHOOKS = Counter(
    "herald_webhooks",
    "Provider webhooks by endpoint and outcome (accepted, refused_signature, malformed, "
    "unknown_message)",
    ["endpoint", "outcome"],
    registry=REGISTRY,
)
EMAIL_OPENS = Counter(
    "herald_email_opens",
    "First opens of tracked e-mails (a message opened twice counts once)",
    ["milestone"],
    registry=REGISTRY,
)


def exposition() -> bytes:
    """The registry in Prometheus's text format."""
    return generate_latest(REGISTRY)
