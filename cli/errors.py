"""What ``herald`` says when something is wrong: one line with the fix, a stable exit code.

Exit codes (scripts may rely on them):
  0  done
  1  not found (no such order, nothing recorded)
  2  invalid input (a malformed event, a bad option), nothing sent
  3  a service is not reachable (Temporal, the store, the sandbox)
  4  the service refused or failed the request
  70 an unexpected error (a bug): HERALD_DEBUG=1 shows the traceback
"""

from __future__ import annotations

import os
import traceback

import httpx
from sqlalchemy.exc import OperationalError
from temporalio.service import RPCError, RPCStatusCode

from config.settings import get_settings

OK, NOT_FOUND, INVALID, UNREACHABLE, FAILED, INTERNAL = 0, 1, 2, 3, 4, 70


class CliError(Exception):
    """A problem the command has already put in words."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def explain(error: BaseException) -> tuple[str, int]:
    """The one line to print for ``error``, and the exit code."""
    settings = get_settings()
    if isinstance(error, CliError):
        return str(error), error.code
    if isinstance(error, RuntimeError) and "Failed client connect" in str(error):
        return (
            f"Temporal is not reachable at {settings.temporal_address}: is `make run` running? "
            "(or set HERALD_TEMPORAL_ADDRESS)",
            UNREACHABLE,
        )
    if isinstance(error, RPCError):
        if error.status == RPCStatusCode.NOT_FOUND:
            return f"not found: {error.message}", NOT_FOUND
        if error.status == RPCStatusCode.UNAVAILABLE:
            return (
                f"Temporal at {settings.temporal_address} is unavailable: is `make run` running?",
                UNREACHABLE,
            )
        return f"Temporal refused the request: {error.message}", FAILED
    if isinstance(error, FileNotFoundError):
        return f"no such file: {error.filename}: check the path", INVALID
    if isinstance(error, IsADirectoryError | PermissionError):
        return f"cannot read {error.filename}: {error.strerror}", INVALID
    if isinstance(error, OperationalError):
        where = settings.effective_database_url.split("@")[-1]
        return (
            f"the store at {where} is not reachable or not migrated: run `herald migrate` "
            "(or set HERALD_DATABASE_URL)",
            UNREACHABLE,
        )
    if isinstance(error, httpx.ConnectError):
        return (
            f"nothing answers at {error.request.url.host}:{error.request.url.port}: "
            "is `make run` running?",
            UNREACHABLE,
        )
    if isinstance(error, httpx.HTTPError):
        return f"HTTP request failed: {error}", FAILED
    detail = (
        "".join(traceback.format_exception(error))
        if os.environ.get("HERALD_DEBUG")
        else "set HERALD_DEBUG=1 for the traceback"
    )
    return f"unexpected error: {type(error).__name__}: {error} ({detail})", INTERNAL
