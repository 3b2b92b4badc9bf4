"""One interface for every SMS provider: send, look up, reports, replies, signatures.

Each provider speaks its own API through its official SDK behind this interface
(providers/twilio_provider.py, vonage_provider.py, plivo_provider.py); routing and the send
activity see only these types. Statuses are given in one vocabulary (Twilio's words, which
the timeline already uses): ``queued``, ``sent``, ``delivered``, ``undelivered``,
``failed``; ``final`` says whether a status ends the message.

Errors are :class:`providers.errors.ProviderError`: ``retryable`` (the same request may
succeed later) and ``outage`` (the provider itself is failing: 5xx, timeouts, unreachable),
which is what makes routing fail over at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal, Protocol, runtime_checkable

from providers.errors import ProviderError

ProviderName = Literal["twilio", "vonage", "plivo"]
PROVIDER_NAMES: tuple[ProviderName, ...] = ("twilio", "vonage", "plivo")

FINAL_STATUSES = frozenset({"delivered", "undelivered", "failed"})
FAILED_STATUSES = frozenset({"undelivered", "failed"})


@dataclass(frozen=True)
class OutboundSms:
    """One SMS to hand to a provider.

    ``reference`` is Herald's own key for the message (the outbox's message key): Vonage
    carries it as ``client-ref`` into every part's report, the others in the callback URL.
    """

    reference: str
    to: str  # E.164
    body: str
    status_callback_url: str | None = None
    sender: str | None = None  # routing's sender for this country; None: the configured one


@dataclass(frozen=True)
class SentSms:
    """The provider took the message. ``part_ids`` holds one id per part where the
    provider reports each part on its own (Vonage); otherwise the message id alone."""

    provider: ProviderName
    provider_message_id: str
    part_ids: tuple[str, ...]
    parts: int = 1
    price: Decimal | None = None  # what the provider says it charged, when it says so
    status: str = "queued"
    to: str = ""
    body: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True)
class PartReport:
    """One status callback, for one part (or the whole message where the provider does
    not report parts). ``message_id`` is the id the callback names; ``parent_id`` the id
    the send returned, when the callback says it (Plivo); ``reference`` Herald's key when
    the provider echoes it (Vonage's client-ref)."""

    provider: ProviderName
    message_id: str
    status: str
    error_code: str | None = None
    parent_id: str | None = None
    reference: str | None = None
    price: Decimal | None = None
    sequence: int | None = None  # the provider's ordering of callbacks, where it gives one
    occurred_at: datetime | None = None

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES


@dataclass(frozen=True)
class InboundSms:
    provider: ProviderName
    provider_message_id: str
    from_: str  # E.164
    to: str
    body: str
    parts: int = 1  # of a text that came in several webhooks (Vonage's concatenated SMS)
    part: int = 1  # which one this is
    concat_ref: str | None = None


@dataclass(frozen=True)
class SignedRequest:
    """What a webhook's signature covers: the URL the provider called (Herald's public
    URL, not the one a proxy forwarded to), the method, parameters and headers."""

    url: str
    method: str
    params: Mapping[str, str]
    headers: Mapping[str, str] = field(default_factory=dict)


@runtime_checkable
class SmsProvider(Protocol):
    name: ProviderName

    async def send(self, sms: OutboundSms) -> SentSms:
        """Hand one SMS to the provider; raises ProviderError (retryable, outage...)."""
        ...

    async def find_sent(
        self, sms: OutboundSms, since: datetime, known_ids: frozenset[str] = frozenset()
    ) -> SentSms | None:
        """The message an earlier, unanswered call for ``sms`` made, if the provider has
        it: the look-up before a re-send. ``known_ids``: messages Herald already holds for
        other sends (never adopted). Raises ProviderError when it cannot tell."""
        ...

    async def fetch_status(self, provider_message_id: str) -> str:
        """The message's current status in the common vocabulary."""
        ...

    def parse_delivery_report(self, request: SignedRequest) -> PartReport:
        """The callback's report; ValueError when it is not one."""
        ...

    def parse_inbound(self, request: SignedRequest) -> InboundSms:
        """An inbound SMS from the webhook; ValueError when it is not one."""
        ...

    def signature_is_valid(self, request: SignedRequest) -> bool:
        """Checked with the SDK's own validator."""
        ...

    def reports_delivery(self, country: str | None) -> bool:
        """False where the provider sends no final report (the message stays ``sent``):
        there, no report is no failure, and failing over would risk a second SMS."""
        ...

    async def close(self) -> None: ...


def unreachable(provider: str, exc: BaseException, *, may_have_reached: bool) -> ProviderError:
    """No answer from the provider. ``may_have_reached``: the request went out (a read
    timeout, a dropped connection), so a retry looks for the message before sending again;
    False when it never left (a refused connection, a connect timeout)."""
    return ProviderError(
        f"{provider} unreachable: {exc!r}",
        code=None,
        retryable=True,
        outage=True,
        may_have_reached=may_have_reached,
    )


def requests_unreachable(provider: str, exc: BaseException) -> ProviderError:
    """``unreachable`` for the requests-based SDKs (Vonage, Plivo)."""
    import requests

    never_left = isinstance(exc, requests.ConnectTimeout) or (
        isinstance(exc, requests.ConnectionError) and not isinstance(exc, requests.ReadTimeout)
    )
    return unreachable(provider, exc, may_have_reached=not never_left)
