"""Provider failures in two kinds: try again later, or never."""

from __future__ import annotations


class ProviderError(Exception):
    """A channel provider did not take the message.

    ``retryable`` says whether the same request may succeed later (rate limits, outages,
    timeouts); ``code`` is the provider's own error code, kept for the timeline.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None,
        retryable: bool,
        retry_after_seconds: float | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.code = code
        self.retryable = retryable
        self.retry_after_seconds = retry_after_seconds
