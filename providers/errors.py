"""Provider failures in two kinds: try again later, or never."""

from __future__ import annotations


class ProviderError(Exception):
    """A channel provider did not take the message.

    ``retryable`` says whether the same request may succeed later (rate limits, outages,
    timeouts); ``code`` is the provider's own error code, kept for the timeline.
    ``may_have_reached``: the provider may have taken the message all the same (a timeout,
    a dropped connection, its own 5xx), so a retry must look for it before sending again;
    False when it certainly did not (a refused connection, an error answer such as a 4xx).
    ``outage``: the provider itself is failing (5xx, timeouts, unreachable), not this
    request; routing fails over to the next provider, at once when the message certainly
    did not reach it, after the look-up finds nothing when it may have. Unless told, a
    retryable error without an HTTP answer or with a 5xx one is an outage.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None,
        retryable: bool,
        retry_after_seconds: float | None = None,
        http_status: int | None = None,
        may_have_reached: bool = False,
        outage: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.may_have_reached = may_have_reached
        self.http_status = http_status
        self.code = code
        self.retryable = retryable
        self.retry_after_seconds = retry_after_seconds
        if outage is None:
            outage = retryable and (http_status is None or http_status >= 500)
        self.outage = outage
