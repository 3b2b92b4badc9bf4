"""Each SMS provider end to end on the dev server, with routing on: real worker, HTTP
service and sandbox; reports signed by the sandbox, checked at the HTTP service; a failover
after an undelivered report that delivers exactly once."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import httpx
import phonenumbers
import pytest
from temporalio.client import Client
from vonage_http_client import Auth

from devstack.stack import Stack
from domain.milestones import Kind
from domain.timeline import DeliveryStatus, EntryKind, MessagingHistory, NotificationState
from sandbox.plivo_api import PlivoSandbox
from starter.client import connect, signal_milestone
from store.repository import Store
from tests.e2e.conftest import E2E_POLICY_ENV, e2e_settings
from tests.e2e.test_stack import all_final, history_when, new_reference
from tests.helpers.events import order_event
from tests.helpers.temporal import assert_eventually

pytestmark = pytest.mark.timeout(120)

RULES = """
exploration_share = 0.0

[[rules]]
country = "US"
allowed = ["vonage"]

[[rules]]
country = "BR"
allowed = ["plivo"]

[[rules]]
country = "GB"
allowed = ["vonage", "twilio"]
"""


@pytest.fixture(scope="module")
def routed_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir = tmp_path_factory.mktemp("herald-e2e-routed")
    rules = data_dir / "routing.toml"
    rules.write_text(RULES)
    settings = e2e_settings(data_dir).model_copy(
        update={"sms_providers": "twilio,vonage,plivo", "routing_rules_path": rules}
    )
    running = Stack(settings, log_dir=data_dir / "logs", extra_env=E2E_POLICY_ENV)
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
async def routed_client(routed_stack: Stack) -> Client:
    return await connect(routed_stack.settings)


@pytest.fixture
async def box(routed_stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=routed_stack.settings.sandbox_base_url, timeout=10
    ) as http:
        yield http
        for provider in ("vonage", "plivo"):
            await http.put(f"/sandbox/world/{provider}", json=[])


def phone(prefix: str, digits: int) -> str:
    """A valid number no other test texts: the order's event refuses an invalid one."""
    while True:
        number = prefix + "".join(random.choice("0123456789") for _ in range(digits))
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            return number


async def test_vonage_sends_reports_by_part_and_delivers(
    routed_client: Client, box: httpx.AsyncClient
) -> None:
    to, reference = phone("+1415555", 4), new_reference()
    await signal_milestone(routed_client, order_event("shipped", reference, phone=to))
    history = await history_when(
        routed_client, Kind.ORDER, reference, lambda h: h.state is NotificationState.DELIVERED
    )
    [sms] = history.messages
    assert sms.provider == "vonage" and sms.status is DeliveryStatus.DELIVERED
    assert sms.route_reason and "vonage" in sms.route_reason
    parts = (await box.get("/sandbox/vonage/messages")).json()["parts"]
    mine = [p for p in parts if p["to"] == to.lstrip("+")]
    assert mine and {p["client_ref"] for p in mine} == {sms.message_key}


async def test_a_long_vonage_reply_reaches_its_order_whole(
    routed_stack: Stack, routed_client: Client, box: httpx.AsyncClient
) -> None:
    """The sandbox splits the customer's text into signed webhooks, one per part, as
    Vonage does; the order hears it once, whole."""
    to, reference = phone("+1415555", 4), new_reference()
    await signal_milestone(routed_client, order_event("shipped", reference, phone=to))
    await history_when(
        routed_client, Kind.ORDER, reference, lambda h: h.state is NotificationState.DELIVERED
    )
    text = "Hello, I will not be at home on Monday. " * 5  # 200 characters: two parts
    base = routed_stack.settings.effective_public_base_url
    sent = await box.post(
        "/sandbox/vonage/inbound",
        json={
            "from": to,
            "to": "18005550100",
            "text": text,
            "webhook_url": f"{base}/vonage/inbound",
        },
    )
    assert len(sent.json()["parts"]) == 2 and all(p["accepted"] for p in sent.json()["parts"])

    def heard(h: MessagingHistory) -> bool:
        return any(e.kind is EntryKind.REPLY_RECEIVED for e in h.entries)

    history = await history_when(routed_client, Kind.ORDER, reference, heard)
    [entry] = [e for e in history.entries if e.kind is EntryKind.REPLY_RECEIVED]
    assert repr(text[:160]) in entry.detail  # past the first part's 153 characters


async def test_plivo_sends_and_delivers(routed_client: Client, box: httpx.AsyncClient) -> None:
    to, reference = phone("+55119", 8), new_reference()
    await signal_milestone(routed_client, order_event("shipped", reference, phone=to))
    history = await history_when(
        routed_client, Kind.ORDER, reference, lambda h: h.state is NotificationState.DELIVERED
    )
    [sms] = history.messages
    assert sms.provider == "plivo" and sms.status is DeliveryStatus.DELIVERED
    listed = (await box.get("/sandbox/plivo/messages")).json()["messages"]
    assert [m["message_uuid"] for m in listed if m["to_number"] == to.lstrip("+")] == [
        sms.provider_message_id
    ]


async def test_undelivered_through_vonage_is_delivered_once_through_twilio(
    routed_client: Client, routed_stack: Stack, box: httpx.AsyncClient
) -> None:
    store = Store.connect(routed_stack.settings.effective_database_url)
    try:  # Herald measured Vonage better in Great Britain: it goes first
        for n in range(20):
            store.routes.record_outcome(
                "vonage", "GB", "delivered", now=datetime.now(UTC), half_life_seconds=3600
            )
            store.routes.record_outcome(
                "twilio",
                "GB",
                "delivered" if n % 2 else "failed",
                now=datetime.now(UTC),
                half_life_seconds=3600,
            )
    finally:
        store.close()
    await box.put("/sandbox/world/vonage", json=[{"country": "GB", "delivery_rate": 0.0}])
    to, reference = phone("+447400", 6), new_reference()
    await signal_milestone(routed_client, order_event("shipped", reference, phone=to))
    history = await history_when(
        routed_client, Kind.ORDER, reference, lambda h: h.state is NotificationState.DELIVERED
    )
    first, second = history.messages
    assert (first.provider, first.status) == ("vonage", DeliveryStatus.FAILED)
    assert (second.provider, second.status) == ("twilio", DeliveryStatus.DELIVERED)
    twilio = (await box.get("/sandbox/messages", params={"to": to})).json()["messages"]
    assert len(twilio) == 1  # one SMS through Twilio; Vonage's never reached the phone


async def test_forged_vonage_and_plivo_reports_are_refused(routed_stack: Stack) -> None:
    settings = routed_stack.settings
    base = settings.effective_public_base_url
    key, _secret, signature_secret = settings.effective_vonage_credentials
    receipt = {
        "messageId": str(uuid.uuid4()),
        "status": "delivered",
        "client-ref": "order-X:shipped:1:sms",
        "timestamp": str(int(time.time())),
        "nonce": str(uuid.uuid4()),
    }
    signing = dict(receipt)
    receipt["sig"] = Auth(
        api_key=key, signature_secret=signature_secret, signature_method="sha256"
    ).sign_params(signing)
    url = f"{base}/plivo/status?message_key=order-X%3Ashipped%3A1%3Asms"
    callback = {"MessageUUID": str(uuid.uuid4()), "Status": "delivered"}
    auth_id, token = settings.effective_plivo_credentials
    headers = PlivoSandbox(auth_id=auth_id, auth_token=token).signature_headers(url, callback)
    async with httpx.AsyncClient() as http:
        forged = await http.post(f"{base}/vonage/delivery", json={**receipt, "status": "failed"})
        genuine = await http.post(f"{base}/vonage/delivery", json=receipt)
        plivo_forged = await http.post(url, data={**callback, "Status": "failed"}, headers=headers)
        plivo_genuine = await http.post(url, data=callback, headers=headers)
    assert (forged.status_code, plivo_forged.status_code) == (403, 403)
    assert (genuine.status_code, plivo_genuine.status_code) == (204, 204)  # unknown: harmless


async def sandbox_sent(box: httpx.AsyncClient, provider: str, to: str) -> list[str]:
    """The ids of what ``provider``'s sandbox took for ``to``: Vonage's parts, Plivo's
    messages."""
    number = to.lstrip("+")
    if provider == "vonage":
        parts = (await box.get("/sandbox/vonage/messages")).json()["parts"]
        return [p["message_id"] for p in parts if p["to"] == number]
    listed = (await box.get("/sandbox/plivo/messages")).json()["messages"]
    return [m["message_uuid"] for m in listed if m["to_number"] == number]


@pytest.mark.parametrize(
    ("provider", "country", "prefix", "digits"),
    [("vonage", "US", "+1415555", 4), ("plivo", "BR", "+55119", 8)],
)
async def test_a_worker_killed_mid_send_produces_exactly_one_sms(
    routed_client: Client,
    routed_stack: Stack,
    box: httpx.AsyncClient,
    provider: str,
    country: str,
    prefix: str,
    digits: int,
) -> None:
    # The provider takes the message at once and answers 3 s later: the worker is killed
    # only once the provider holds the message and before its answer reached the worker,
    # so the restarted worker can only learn of it through the provider's look-up.
    world = [{"country": country, "answer_delay_seconds": 3.0}]
    await box.put(f"/sandbox/world/{provider}", json=world)
    to, reference = phone(prefix, digits), new_reference()
    key = f"order-{reference}:shipped:1:sms"
    store = Store.connect(routed_stack.settings.effective_database_url)
    try:
        await signal_milestone(routed_client, order_event("shipped", reference, phone=to))

        async def taken_but_unanswered() -> None:
            assert await sandbox_sent(box, provider, to)
            entry = store.outbox.get(key)
            assert entry is not None and entry.provider_calls == 1
            assert entry.provider_message_id is None  # the answer has not come back yet

        await assert_eventually(taken_but_unanswered, timeout=30, interval=0.05)
        routed_stack.workers.pop(0).kill()
        routed_stack.start_worker()

        history = await history_when(routed_client, Kind.ORDER, reference, all_final(1))
        await asyncio.sleep(2)  # time for a second send, were there one, to arrive
        entry = store.outbox.get(key)
    finally:
        store.close()
    [sms] = history.messages
    assert sms.provider == provider and sms.status is DeliveryStatus.DELIVERED
    assert await sandbox_sent(box, provider, to) == [sms.provider_message_id]
    # One provider call in all: the restarted worker looked the message up and adopted it.
    assert entry is not None and entry.provider_calls == 1
    assert any(s.detail == "deduplicated" for s in sms.statuses)
