"""Provider failures in two kinds: try again later, or never."""

from __future__ import annotations


class ProviderError(Exception):
    """A channel provider did not take the message.

    ``retryable`` says whether the same request may succeed later (rate limits, outages,
    timeouts); ``code`` is the provider's own error code, kept for the timeline.
    ``outage``: the provider itself is failing (5xx, timeouts, unreachable), not this
    request; routing fails over to the next provider at once. Unless told, a retryable
    error without an HTTP answer or with a 5xx one is an outage.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None,
        retryable: bool,
        retry_after_seconds: float | None = None,
        http_status: int | None = None,
        outage: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.code = code
        self.retryable = retryable
        self.retry_after_seconds = retry_after_seconds
        if outage is None:
            outage = retryable and (http_status is None or http_status >= 500)
        self.outage = outage
