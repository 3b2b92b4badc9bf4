"""The Messages API through the real twilio SDK: create, errors, rules, list, fetch."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from config.settings import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN
from sandbox.twilio_api import SANDBOX_MESSAGING_SERVICE
from tests.sandbox.conftest import RunningSandbox

SENDER = "+15005550006"
# The SDK's aiohttp client uses aiohttp APIs that aiohttp now deprecates; not ours to fix.
SDK_ASYNC_WARNINGS = pytest.mark.filterwarnings("ignore:.*deprecated.*:DeprecationWarning")
MESSAGES_PATH = f"/2010-04-01/Accounts/{SANDBOX_ACCOUNT_SID}/Messages.json"


def test_create_returns_a_twilio_message_resource(
    sandbox: RunningSandbox, twilio_client: Client
) -> None:
    before = time.time()
    message = twilio_client.messages.create(
        to="+15551230001", from_=SENDER, body="Your order shipped"
    )

    assert re.fullmatch(r"SM[0-9a-f]{32}", message.sid)
    assert message.account_sid == SANDBOX_ACCOUNT_SID
    assert (message.to, message.from_, message.body) == (
        "+15551230001",
        SENDER,
        "Your order shipped",
    )
    assert message.status == "queued" and message.date_sent is None  # not sent yet
    assert message.direction == "outbound-api"
    assert message.num_segments == "1"
    assert message.num_media == "0"
    assert message.api_version == "2010-04-01"
    assert message.price is None and message.price_unit == "USD"
    assert message.error_code is None and message.error_message is None
    assert message.uri == f"/2010-04-01/Accounts/{SANDBOX_ACCOUNT_SID}/Messages/{message.sid}.json"
    assert isinstance(message.date_created, datetime)
    assert message.date_updated == message.date_created
    assert abs(message.date_created.timestamp() - before) < 5

    [recorded] = sandbox.messages()
    assert recorded["sid"] == message.sid
    assert before <= recorded["accepted_at"] <= time.time()


@pytest.mark.parametrize(
    ("body", "segments"),
    [("a" * 160, "1"), ("a" * 161, "2"), ("é" * 160, "1"), ("ü" + "😀" * 35, "2"), ("ж" * 70, "1")],
)
def test_segment_count_follows_gsm7_and_ucs2_limits(
    twilio_client: Client, body: str, segments: str
) -> None:
    message = twilio_client.messages.create(to="+15551230002", from_=SENDER, body=body)
    assert message.num_segments == segments


@SDK_ASYNC_WARNINGS
async def test_create_async(sandbox: RunningSandbox, async_twilio_client: Client) -> None:
    message = await async_twilio_client.messages.create_async(
        to="+15551230003", messaging_service_sid=SANDBOX_MESSAGING_SERVICE, body="async hello"
    )
    # Through a Messaging Service: accepted, no sender and no segments until it is queued.
    assert message.status == "accepted"
    assert message.from_ is None and message.num_segments == "0"
    assert message.messaging_service_sid == SANDBOX_MESSAGING_SERVICE
    assert [m["sid"] for m in sandbox.messages()] == [message.sid]


@pytest.mark.parametrize(
    ("account_sid", "auth_token"),
    [(SANDBOX_ACCOUNT_SID, "wrong-token"), ("AC" + "f" * 32, SANDBOX_AUTH_TOKEN)],
)
def test_bad_credentials_or_foreign_account_get_20003(
    sandbox: RunningSandbox, account_sid: str, auth_token: str
) -> None:
    client = sandbox.twilio_client(account_sid, auth_token)
    with pytest.raises(TwilioRestException) as caught:
        client.messages.create(to="+15551230004", from_=SENDER, body="nope")
    assert caught.value.status == 401
    assert caught.value.code == 20003
    assert sandbox.messages() == []


def test_auth_error_body_matches_twilio(sandbox: RunningSandbox) -> None:
    response = sandbox.http.post(MESSAGES_PATH, data={"To": "+15551230004", "Body": "x"})
    assert response.status_code == 401
    assert response.json() == {
        "code": 20003,
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }


def test_invalid_to_number_gets_21211(twilio_client: Client) -> None:
    with pytest.raises(TwilioRestException) as caught:
        twilio_client.messages.create(to="0555-123", from_=SENDER, body="hi")
    assert (caught.value.status, caught.value.code) == (400, 21211)


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"To": "+15551230005", "From": SENDER}, 21602),
        ({"To": "+15551230005", "Body": "hi"}, 21603),
        ({"From": SENDER, "Body": "hi"}, 21604),
    ],
)
def test_missing_parameters_get_twilio_codes(
    sandbox: RunningSandbox, form: dict[str, str], code: int
) -> None:
    response = sandbox.http.post(
        MESSAGES_PATH, data=form, auth=(SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN)
    )
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_rate_limit_rule_fails_first_call_then_succeeds(
    sandbox: RunningSandbox, twilio_client: Client
) -> None:
    rule = {
        "to": "+15551230006",
        "api_error_status": 429,
        "api_error_code": 20429,
        "api_error_message": "Too Many Requests",
        "fail_first_calls": 1,
    }
    sandbox.http.post("/sandbox/rules", json=rule).raise_for_status()

    with pytest.raises(TwilioRestException) as caught:
        twilio_client.messages.create(to="+15551230006", from_=SENDER, body="retry me")
    assert (caught.value.status, caught.value.code) == (429, 20429)
    assert "Too Many Requests" in caught.value.msg

    message = twilio_client.messages.create(to="+15551230006", from_=SENDER, body="retry me")
    assert message.status == "queued"
    assert [m["sid"] for m in sandbox.messages()] == [message.sid]


def test_unsubscribed_rule_applies_to_a_prefix_only(
    sandbox: RunningSandbox, twilio_client: Client
) -> None:
    rule = {"to": "+1666*", "api_error_status": 400, "api_error_code": 21610}
    sandbox.http.put("/sandbox/rules", json=[rule]).raise_for_status()

    with pytest.raises(TwilioRestException) as caught:
        twilio_client.messages.create(to="+16660000000", from_=SENDER, body="hi")
    assert caught.value.code == 21610
    twilio_client.messages.create(to="+16670000000", from_=SENDER, body="hi")


def test_latency_rule_delays_the_answer(sandbox: RunningSandbox, twilio_client: Client) -> None:
    sandbox.http.post("/sandbox/rules", json={"to": "+15551230007", "latency_ms": 300})
    started = time.monotonic()
    twilio_client.messages.create(to="+15551230007", from_=SENDER, body="slow")
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    twilio_client.messages.create(to="+15551230008", from_=SENDER, body="fast")
    assert time.monotonic() - started < 0.3


def test_rules_control_api_and_reset(sandbox: RunningSandbox) -> None:
    sandbox.http.put("/sandbox/rules?seed=5", json=[{"to": "*", "latency_ms": 1}])
    sandbox.http.post("/sandbox/rules", json={"to": "+1555*", "final_status": "failed"})
    listed = sandbox.http.get("/sandbox/rules").json()
    assert listed["seed"] == 5
    assert [r["to"] for r in listed["rules"]] == ["*", "+1555*"]
    assert listed["rules"][1]["final_error_code"] == 30008

    invalid = sandbox.http.post("/sandbox/rules", json={"to": "+1555*", "bogus": 1})
    assert invalid.status_code == 422

    sandbox.reset()
    assert sandbox.http.get("/sandbox/rules").json() == {"rules": [], "seed": 0}


def test_list_filters_by_to_and_pages_newest_first(twilio_client: Client) -> None:
    bodies = [f"update {i}" for i in range(7)]
    for body in bodies:
        twilio_client.messages.create(to="+15551230009", from_=SENDER, body=body)
    twilio_client.messages.create(to="+15551230010", from_=SENDER, body="someone else")

    listed = twilio_client.messages.list(to="+15551230009", page_size=3)
    assert [m.body for m in listed] == list(reversed(bodies))

    first_page = twilio_client.messages.page(to="+15551230009", page_size=3)
    assert first_page.next_page_url is not None
    assert twilio_client.messages.list(to="+15551230009", limit=2)[0].body == "update 6"
    assert twilio_client.messages.list(from_=SENDER)[0].body == "someone else"


def test_list_date_filters_match_the_send_date_only(
    sandbox: RunningSandbox, twilio_client: Client
) -> None:
    sandbox.http.post("/sandbox/rules", json={"to": "+15551230011", "hold_queued_seconds": 0.3})
    message = twilio_client.messages.create(to="+15551230011", from_=SENDER, body="today")
    now = datetime.now(UTC).replace(tzinfo=None)  # the SDK formats naive datetimes as UTC
    today, yesterday = now.date(), now.date() - timedelta(days=1)

    # Queued: no date_sent, so no DateSent filter finds it; an unfiltered list does.
    assert twilio_client.messages(message.sid).fetch().date_sent is None
    assert twilio_client.messages.list(to="+15551230011", date_sent=today) == []
    assert twilio_client.messages.list(to="+15551230011", date_sent_after=yesterday) == []
    assert [m.sid for m in twilio_client.messages.list(to="+15551230011")] == [message.sid]

    deadline = time.monotonic() + 5
    while twilio_client.messages(message.sid).fetch().date_sent is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    # Sent: the filters compare the date alone; a time in the filter is ignored, so
    # "after five minutes from now" still matches today's message.
    assert len(twilio_client.messages.list(to="+15551230011", date_sent=today)) == 1
    later = now + timedelta(minutes=5)
    assert len(twilio_client.messages.list(to="+15551230011", date_sent_after=later)) == 1
    assert len(twilio_client.messages.list(to="+15551230011", date_sent_before=today)) == 1
    assert twilio_client.messages.list(to="+15551230011", date_sent=yesterday) == []
    tomorrow = today + timedelta(days=1)
    assert twilio_client.messages.list(to="+15551230011", date_sent_after=tomorrow) == []


@SDK_ASYNC_WARNINGS
async def test_list_async_pages_through_everything(async_twilio_client: Client) -> None:
    for i in range(5):
        await async_twilio_client.messages.create_async(
            to="+15551230012", from_=SENDER, body=f"a{i}"
        )
    listed = await async_twilio_client.messages.list_async(to="+15551230012", page_size=2)
    assert [m.body for m in listed] == ["a4", "a3", "a2", "a1", "a0"]


def test_paging_is_stable_while_new_messages_arrive(twilio_client: Client) -> None:
    for i in range(4):
        twilio_client.messages.create(to="+15551230013", from_=SENDER, body=f"p{i}")
    first = twilio_client.messages.page(to="+15551230013", page_size=2)
    assert [m.body for m in first] == ["p3", "p2"]
    twilio_client.messages.create(to="+15551230013", from_=SENDER, body="p4")  # lands in front
    second = first.next_page()
    assert second is not None
    assert [m.body for m in second] == ["p1", "p0"]
    assert second.next_page_url is None


def test_fetch_and_unknown_sid(twilio_client: Client) -> None:
    created = twilio_client.messages.create(to="+15551230014", from_=SENDER, body="fetch me")
    fetched = twilio_client.messages(created.sid).fetch()
    assert (fetched.sid, fetched.body, fetched.to) == (created.sid, "fetch me", "+15551230014")

    with pytest.raises(TwilioRestException) as caught:
        twilio_client.messages("SM" + "0" * 32).fetch()
    assert (caught.value.status, caught.value.code) == (404, 20404)


def test_health(sandbox: RunningSandbox) -> None:
    assert sandbox.http.get("/health").json() == {"status": "ok", "smtp_port": sandbox.smtp_port}


def test_non_sdk_basic_auth_is_accepted(sandbox: RunningSandbox) -> None:
    response = httpx.post(
        sandbox.base_url + MESSAGES_PATH,
        data={"To": "+15551230015", "From": SENDER, "Body": "plain httpx"},
        auth=(SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN),
    )
    assert response.status_code == 201
    assert response.json()["date_created"].endswith("+0000")
