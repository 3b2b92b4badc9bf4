from __future__ import annotations

import json
import logging

from observability.logs import json_formatter, logging_context


def format_record(message: str, *args: object, **extra: object) -> dict[str, object]:
    record = logging.LogRecord("herald.test", logging.INFO, __file__, 1, message, args, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return json.loads(json_formatter("worker").format(record))


def test_a_line_is_one_json_object_with_the_messages_names() -> None:
    with logging_context(workflow_id="order-A1", message_key="order-A1:shipped:1:sms"):
        line = format_record("sent %s", "SM123", provider_id="SM123")
    assert line["message"] == "sent SM123"
    assert (line["level"], line["logger"], line["process"]) == ("INFO", "herald.test", "worker")
    assert line["workflow_id"] == "order-A1" and line["message_key"] == "order-A1:shipped:1:sms"
    assert line["provider_id"] == "SM123"
    assert str(line["time"]).endswith("+00:00")


def test_phone_numbers_and_addresses_never_reach_a_log_line() -> None:
    line = format_record(
        "texting %s, then %s", "+14155550167", "ana@example.com", customer="+4915123456789"
    )
    text = json.dumps(line)
    assert "4155550167" not in text and "ana@example.com" not in text
    assert "4915123456789" not in text
    assert "+1********67" in line["message"]  # type: ignore[operator]


def test_temporals_activity_context_becomes_the_workflow_id() -> None:
    line = format_record(
        "x", temporal_activity={"workflow_id": "return-R1", "activity_type": "send_sms"}
    )
    assert line["workflow_id"] == "return-R1" and line["activity"] == "send_sms"
    assert "temporal_activity" not in line
