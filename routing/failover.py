"""After an attempt: send through the next provider, wait, or stop (delivered, or e-mail).

The rule that keeps a milestone from arriving twice: a second provider sends only once
the first attempt is known not to have reached the phone.
- An outage (5xx, timeout, unreachable, open breaker) before the provider took the message:
  nothing was sent, so the next provider sends at once. (A timeout that may have reached the
  provider is first settled by the look-up before a re-send: the send activity adopts the
  message the provider has, and only a look-up that finds nothing counts as an outage.)
- A refusal of the route (geo permission, sender not allowed there, the account's limits):
  the next provider sends at once. A refusal of the recipient (invalid number, STOP) would
  be refused everywhere: no failover.
- A final failed report (undelivered, failed, expired; for a long message: any part):
  the next provider sends.
- No final report in time: the send asks the provider; a failure found is a failed
  report; a message still in flight is not known failed, so SMS stops there and e-mail
  takes over (a second SMS could arrive next to the first). Where a provider sends no
  reports at all (Plivo in the US), ``sent`` counts as delivered, as Plivo advises.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

AttemptOutcome = Literal[
    "delivered",  # final report: delivered (every part)
    "failed",  # final report: undelivered/failed/expired (some part)
    "outage",  # the provider failed before taking the message
    "route_refused",  # this provider will not carry it to this destination
    "recipient_refused",  # no provider will (invalid number, opted out)
    "pending",  # taken, no final report in time, and the provider still has it in flight
    "unconfirmed",  # taken where the provider sends no final reports: counts as delivered
]

Action = Literal["done", "send_next", "fallback"]


@dataclass(frozen=True)
class Attempt:
    provider: str
    outcome: AttemptOutcome


@dataclass(frozen=True)
class NextStep:
    action: Action
    provider: str | None = None  # for send_next
    reason: str = ""


def next_step(order: Sequence[str], attempts: Sequence[Attempt]) -> NextStep:
    """What to do after ``attempts`` (oldest first) on a route ordered ``order``."""
    if not attempts:
        if not order:
            return NextStep("fallback", reason="no SMS route is allowed")
        return NextStep("send_next", order[0], reason="first choice")
    last = attempts[-1]
    if last.outcome in ("delivered", "unconfirmed"):
        return NextStep("done", reason=f"{last.provider}: {last.outcome}")
    if last.outcome == "recipient_refused":
        return NextStep("fallback", reason=f"{last.provider} refused the recipient")
    if last.outcome == "pending":
        return NextStep("fallback", reason=f"{last.provider}: no final report; not known failed")
    tried = {a.provider for a in attempts}
    following = next((p for p in order if p not in tried), None)
    if following is None:
        return NextStep("fallback", reason=f"every provider tried; last {last.outcome}")
    return NextStep(
        "send_next", following, reason=f"{last.provider} {last.outcome}: next {following}"
    )
