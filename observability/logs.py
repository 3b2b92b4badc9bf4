"""JSON-line logs for every process, with contact details masked.

Each line is one JSON object: time, level, logger, message, the process's name and,
where known, ``workflow_id``, ``message_key`` and ``provider_id``. Temporal's activity and
workflow loggers put the workflow in ``temporal_activity`` / ``temporal_workflow``; those
are lifted to ``workflow_id``. A phone number or an e-mail address in a message or an
extra is masked before the line is written, whoever logged it.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from privacy.masking import mask_text

# Set by code that handles one message (a webhook, an activity), read by every log line.
log_context: ContextVar[dict[str, str] | None] = ContextVar("herald_log_context", default=None)


class _HeraldJsonFormatter(JsonFormatter):
    def __init__(self, process_name: str) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )
        self._process = process_name

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        log_data["process"] = self._process
        for key in ("temporal_activity", "temporal_workflow"):
            temporal = log_data.pop(key, None)
            if isinstance(temporal, dict):
                log_data.setdefault("workflow_id", temporal.get("workflow_id"))
                if "activity_type" in temporal:
                    log_data.setdefault("activity", temporal["activity_type"])
        for key, value in (log_context.get() or {}).items():
            log_data.setdefault(key, value)
        for key, value in list(log_data.items()):
            if isinstance(value, str):
                log_data[key] = mask_text(value)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        """ISO 8601 in UTC, as log pipelines parse without a hint."""
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")

    def formatMessage(self, record: logging.LogRecord) -> str:
        return mask_text(super().formatMessage(record))


def json_formatter(process_name: str) -> logging.Formatter:
    return _HeraldJsonFormatter(process_name)


def configure_logging(process_name: str, level: str | None = None) -> None:
    """Every log line of this process as JSON on standard error (HERALD_LOG_LEVEL, INFO)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(json_formatter(process_name))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level or os.environ.get("HERALD_LOG_LEVEL", "INFO").upper())
    # uvicorn's own loggers carry handlers of their own: hand their lines to the root's.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)  # the webhook log says more
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per provider call otherwise


@contextmanager
def logging_context(**fields: str | None) -> Iterator[None]:
    """Name the message a block of code handles in each of its log lines."""
    current = dict(log_context.get() or {})
    current.update({k: v for k, v in fields.items() if v})
    token = log_context.set(current)
    try:
        yield
    finally:
        log_context.reset(token)
