"""One decision on the store's facts: the function the workflow and the deciding send share.

The workflow knows the order (what was notified, what arrived since, the customer's
contacts); the store knows the number (consent, preferences, recent sends). A milestone's
first decision is taken inside the activity that sends its SMS, a decision taken again
after a hold inside the workflow: both complete the workflow's request with the store's
facts here and apply every rule (``evaluate``), so the two can never drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from domain.timeline import Channel
from policy.channels import ConsentState
from policy.decision import PolicyDecision
from policy.evaluate import PolicyRequest, evaluate
from policy.frequency import RecentSend
from policy.rules import PolicyRules


def decide(
    request: PolicyRequest,
    *,
    sms_consent: ConsentState | None,
    muted: Iterable[Channel],
    recent_sms: Iterable[RecentSend],
    now: datetime,
    rules: PolicyRules,
) -> PolicyDecision:
    completed = request.model_copy(
        update={
            "sms_consent": sms_consent,
            "muted": tuple(muted),
            "recent_sms": tuple(recent_sms),
        }
    )
    return evaluate(completed, now, rules)
