"""The Twilio sandbox's message list (``GET .../Messages.json``): Twilio's ``To``, ``From``
and ``DateSent`` filters, its paging (``Page``, ``PageSize``, ``PageToken``) and the page's
JSON shape."""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import urlencode

from fastapi.datastructures import QueryParams
from fastapi.responses import JSONResponse

from sandbox.twilio_message import API_VERSION, SandboxMessage, twilio_error

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


def list_page(
    messages: dict[str, SandboxMessage], query: QueryParams, account_sid: str
) -> JSONResponse:
    """The page ``query`` asks for of ``messages`` (kept in acceptance order), newest first."""
    try:
        on = _parse_date_filter(query.get("DateSent"))
        on_or_before = _parse_date_filter(query.get("DateSent<"))
        on_or_after = _parse_date_filter(query.get("DateSent>"))
        page_size = min(max(int(query.get("PageSize", DEFAULT_PAGE_SIZE)), 1), MAX_PAGE_SIZE)
        page = max(int(query.get("Page", 0)), 0)
    except ValueError as exc:
        return twilio_error(400, 20001, f"Invalid parameter: {exc}")
    to, from_ = query.get("To"), query.get("From")

    matching = [
        m
        for m in reversed(messages.values())  # newest first, like Twilio
        if (to is None or m.to == to)
        and (from_ is None or m.from_ == from_)
        and _date_matches(m.sent, on, "=")
        and _date_matches(m.sent, on_or_before, "<")
        and _date_matches(m.sent, on_or_after, ">")
    ]
    start = page * page_size
    # A PageToken names the last message of the previous page, so paging stays stable
    # while new messages arrive at the front of the list.
    token = query.get("PageToken", "")
    if token.startswith("PA"):
        after_sid = token[2:]
        for index, m in enumerate(matching):
            if m.sid == after_sid:
                start = index + 1
                break
    records = matching[start : start + page_size]

    path = f"/{API_VERSION}/Accounts/{account_sid}/Messages.json"
    filters = {k: v for k, v in query.items() if k not in ("Page", "PageSize", "PageToken")}

    def page_uri(number: int, page_token: str | None = None) -> str:
        params = {**filters, "PageSize": page_size, "Page": number}
        if page_token is not None:
            params["PageToken"] = page_token
        return f"{path}?{urlencode(params)}"

    has_more = start + page_size < len(matching)
    payload = {
        "messages": [m.resource() for m in records],
        "end": start + len(records) - 1 if records else start,
        "first_page_uri": page_uri(0),
        "next_page_uri": page_uri(page + 1, "PA" + records[-1].sid) if has_more else None,
        "page": page,
        "page_size": page_size,
        "previous_page_uri": page_uri(page - 1) if page > 0 else None,
        "start": start,
        "uri": page_uri(page, token or None),
    }
    return JSONResponse(payload)


def _parse_date_filter(value: str | None) -> date | datetime | None:
    """Twilio accepts ``YYYY-MM-DD`` or an ISO 8601 timestamp, and uses its date only."""
    if not value:
        return None
    if len(value) == 10:
        return date.fromisoformat(value)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.date()  # Twilio matches on the date alone


def _date_matches(sent: datetime | None, bound: date | datetime | None, op: str) -> bool:
    """Twilio's DateSent filters are inclusive (``<`` on or before, ``>`` on or after) and
    compare the date only: a time in the filter is ignored. A message not sent yet has no
    date, so no DateSent filter ever matches it."""
    if bound is None:
        return True
    if sent is None:
        return False
    if isinstance(bound, datetime):
        bound = bound.date()
    day = sent.date()
    return day <= bound if op == "<" else day >= bound if op == ">" else day == bound
