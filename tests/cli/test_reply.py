"""``herald reply``: the sandbox is asked to text Herald; answers are printed."""

from __future__ import annotations

import io
import json

import httpx

from cli.conversation import text_herald, twiml_messages
from tests.helpers.temporal import settings_for_tests

PHONE = "+14155550167"
WHICH_ONE = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Herald Shop: which one?'
    "</Message></Response>"
)


def sandbox_that_answers(twiml: str, status_code: int = 200) -> tuple[httpx.Client, list[dict]]:
    posted: list[dict] = []
    texts: list[dict] = []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            posted.append(json.loads(request.content))
            texts.append({"body": "Herald Shop: choose a new delivery time"})
            return httpx.Response(200, json={"status_code": status_code, "response_body": twiml})
        return httpx.Response(200, json={"messages": list(texts)})

    return httpx.Client(base_url="http://sandbox", transport=httpx.MockTransport(handle)), posted


def test_the_reply_goes_to_the_webhook_and_both_answers_are_printed() -> None:
    sandbox, posted = sandbox_that_answers(WHICH_ONE)
    out = io.StringIO()
    settings = settings_for_tests()

    assert text_herald(sandbox, settings, PHONE, "Reschedule", 0.6, out) == 0

    assert posted == [
        {
            "from": PHONE,
            "to": settings.sms_sender,
            "body": "Reschedule",
            "webhook_url": f"{settings.effective_public_base_url}/twilio/inbound",
        }
    ]
    printed = out.getvalue().splitlines()
    assert printed == [
        "answered at once: Herald Shop: which one?",
        "texted back: Herald Shop: choose a new delivery time",
    ]


def test_a_refused_webhook_is_an_error() -> None:
    sandbox, _ = sandbox_that_answers("", status_code=403)
    out = io.StringIO()
    assert text_herald(sandbox, settings_for_tests(), PHONE, "hi", 0, out) == 1
    assert "403" in out.getvalue()


def test_an_empty_twiml_answer_has_no_messages() -> None:
    assert twiml_messages('<?xml version="1.0" encoding="UTF-8"?><Response />') == []
    assert twiml_messages("") == []
