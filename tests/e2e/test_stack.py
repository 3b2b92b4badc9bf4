"""End to end on the dev server: real worker, HTTP service, SMS sandbox and SMTP sink."""

from __future__ import annotations

import asyncio
import itertools
import json
import random
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads
from temporalio.api.enums.v1 import EventType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import ListTaskQueuePartitionsRequest
from temporalio.client import Client
from temporalio.service import RPCError
from twilio.request_validator import RequestValidator

from devstack.stack import Stack
from domain.milestones import Kind
from domain.timeline import Channel, DeliveryStatus, MessagingHistory, NotificationState
from starter.client import messaging_history, signal_milestone
from store.repository import Store
from tests.helpers.events import ORDER_PATH, RETURN_PATH, order_event, return_event
from tests.helpers.temporal import assert_eventually
from workflows.notification import NotificationWorkflow

pytestmark = pytest.mark.timeout(120)


# Numbers from 1000 up: never the helpers' default customer (+14155550167). One stack
# serves the whole session, so two tests sharing a number would see each other's SMS.
_PHONES = itertools.count(random.randint(1000, 8999))


def new_phone() -> str:
    """A number no other test of this session texts."""
    return f"+1415555{next(_PHONES):04d}"


def new_reference() -> str:
    return f"E{random.randint(0, 10**9)}"


async def sandbox_messages(sandbox: httpx.AsyncClient, to: str) -> list[dict[str, Any]]:
    response = await sandbox.get("/sandbox/messages", params={"to": to})
    return list(response.json()["messages"])


async def history_when(
    client: Client, kind: Kind, reference: str, predicate: Callable[[MessagingHistory], bool]
) -> MessagingHistory:
    async def check() -> MessagingHistory:
        try:
            history = await messaging_history(client, kind, reference)
        except RPCError as error:  # no worker answers queries yet (one was just killed)
            raise AssertionError(f"the history query failed: {error}") from error
        assert predicate(history), history.model_dump_json(indent=1)
        return history

    return await assert_eventually(check, timeout=45, interval=0.25)


def all_final(count: int) -> Callable[[MessagingHistory], bool]:
    return lambda h: len(h.messages) == count and all(m.status.is_final for m in h.messages)


async def test_an_order_through_every_milestone(
    client: Client, sandbox: httpx.AsyncClient, store: Store
) -> None:
    phone, reference = new_phone(), new_reference()
    for step, milestone in enumerate(ORDER_PATH):
        await signal_milestone(client, order_event(milestone, reference, step=step, phone=phone))
        await history_when(client, Kind.ORDER, reference, all_final(step + 1))

    history = await history_when(
        client, Kind.ORDER, reference, lambda h: h.state is NotificationState.DELIVERED
    )
    assert [m.milestone.value for m in history.messages] == ORDER_PATH
    assert all(m.status is DeliveryStatus.DELIVERED for m in history.messages)
    assert all(m.channel is Channel.SMS for m in history.messages)
    assert all(m.recipient == f"+1********{phone[-2:]}" for m in history.messages)
    sent = await sandbox_messages(sandbox, phone)
    assert len(sent) == 4 and all(reference in m["body"] for m in sent)
    rows = store.timeline.messages(f"order-{reference}")
    assert [(r.milestone, r.delivery_status) for r in rows] == [
        (m, "delivered") for m in ORDER_PATH
    ]
    assert all(phone not in r.recipient_masked for r in rows)

    async def searchable() -> None:
        found = [w.id async for w in client.list_workflows(f"HeraldOrderId = '{reference}'")]
        assert found == [f"order-{reference}"]

    await assert_eventually(searchable, timeout=15)
    # After the terminal milestone and the grace period, the workflow completes.
    handle = client.get_workflow_handle_for(NotificationWorkflow.run, f"order-{reference}")
    result = await handle.result()
    assert result.state is NotificationState.COMPLETED
    # Each final report completed the send activity waiting for it (through the HTTP
    # service): the workflow was signalled for its milestones only.
    signals = [
        event.workflow_execution_signaled_event_attributes.signal_name
        async for event in handle.fetch_history_events()
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
    ]
    assert signals == ["milestone"] * len(ORDER_PATH)


async def test_the_dev_server_keeps_each_task_queue_in_one_partition(
    client: Client, stack: Stack
) -> None:
    """A new order's first workflow task goes to the normal queue; with the server's
    default of four partitions it could wait in one no poll was on."""
    request = ListTaskQueuePartitionsRequest(
        namespace=stack.settings.temporal_namespace,
        task_queue=TaskQueue(name=stack.settings.task_queue),
    )
    partitions = await client.workflow_service.list_task_queue_partitions(request)
    assert len(partitions.workflow_task_queue_partitions) == 1
    assert len(partitions.activity_task_queue_partitions) == 1


async def test_a_return_through_every_milestone(client: Client, sandbox: httpx.AsyncClient) -> None:
    phone, reference = new_phone(), new_reference()
    for step, milestone in enumerate(RETURN_PATH):
        await signal_milestone(client, return_event(milestone, reference, step=step, phone=phone))
    history = await history_when(client, Kind.RETURN, reference, all_final(4))
    assert [m.milestone.value for m in history.messages] == RETURN_PATH
    assert all(m.status is DeliveryStatus.DELIVERED for m in history.messages)
    assert len(await sandbox_messages(sandbox, phone)) == 4


async def test_a_number_that_fails_falls_back_to_email(
    client: Client, sandbox: httpx.AsyncClient
) -> None:
    phone, reference = new_phone(), new_reference()
    email = f"{reference.lower()}@example.com"
    rule = {"to": phone, "final_status": "undelivered", "final_error_code": 30003}
    await sandbox.post("/sandbox/rules", json=rule)

    await signal_milestone(client, order_event("shipped", reference, phone=phone, email=email))

    history = await history_when(
        client, Kind.ORDER, reference, lambda h: h.state is NotificationState.FELL_BACK
    )
    sms, mail = history.messages
    assert (sms.status, sms.error_code) == (DeliveryStatus.UNDELIVERED, "30003")
    assert mail.channel is Channel.EMAIL and mail.status is DeliveryStatus.SENT
    emails = (await sandbox.get("/sandbox/emails", params={"to": email})).json()["emails"]
    assert len(emails) == 1 and reference in emails[0]["text"]


async def test_a_send_whose_report_does_not_come_ends_its_wait_without_a_timeout(
    client: Client, sandbox: httpx.AsyncClient
) -> None:
    phone, reference = new_phone(), new_reference()
    await sandbox.post("/sandbox/rules", json={"to": phone, "send_callbacks": False})

    await signal_milestone(client, order_event("shipped", reference, phone=phone))

    # The worker ends the send's wait for the report itself, long before the report
    # deadline: the order is free for its next milestone and reply meanwhile.
    history = await history_when(
        client, Kind.ORDER, reference, lambda h: h.state is NotificationState.AWAITING_REPORT
    )
    assert history.messages[0].provider_message_id is not None
    handle = client.get_workflow_handle(f"order-{reference}")
    events = [e.event_type async for e in handle.fetch_history_events()]
    assert EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED in events
    assert EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT not in events  # no timeout, no retry
    # With no report at all, at the report deadline the workflow asks the provider, which
    # says delivered: the order is delivered and no e-mail goes out.
    history = await history_when(
        client, Kind.ORDER, reference, lambda h: h.state is NotificationState.DELIVERED
    )
    assert history.messages[0].status is DeliveryStatus.DELIVERED
    assert [m.channel for m in history.messages] == [Channel.SMS]
    assert len(await sandbox_messages(sandbox, phone)) == 1


async def test_a_number_the_provider_refuses_goes_to_email_without_retries(
    client: Client, sandbox: httpx.AsyncClient
) -> None:
    phone, reference = new_phone(), new_reference()
    rule = {"to": phone, "api_error_status": 400, "api_error_code": 21211}
    await sandbox.post("/sandbox/rules", json=rule)

    await signal_milestone(client, order_event("confirmed", reference, phone=phone))

    history = await history_when(
        client, Kind.ORDER, reference, lambda h: h.state is NotificationState.FELL_BACK
    )
    refused = history.messages[0]
    assert (refused.status, refused.error_code) == (DeliveryStatus.FAILED, "21211")
    assert refused.provider_calls == 1  # permanent: not retried
    assert await sandbox_messages(sandbox, phone) == []


async def test_health_reports_the_database_and_temporal(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.settings.effective_public_base_url) as http:
        response = await http.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("status", "database", "temporal")} == {
        "status": "ok",
        "database": "ok",
        "temporal": "ok",
    }
    # The sources' health is shown; whatever it says (other tests refuse payloads), 200.
    assert body["intake"]["status"] in ("ok", "degraded", "unknown")


async def test_forged_status_callbacks_are_refused(stack: Stack) -> None:
    settings = stack.settings
    key = "order-X%3Ashipped%3A1%3Asms"
    url = f"{settings.effective_public_base_url}/twilio/status?message_key={key}"
    params = {"MessageSid": "SM" + "f" * 32, "MessageStatus": "delivered"}
    good = RequestValidator(settings.effective_twilio_auth_token).compute_signature(url, params)
    forged = RequestValidator("not-the-token").compute_signature(url, params)
    tampered = {**params, "MessageStatus": "failed"}
    async with httpx.AsyncClient() as http:
        refused = await http.post(url, data=params, headers={"X-Twilio-Signature": forged})
        unsigned = await http.post(url, data=params)
        altered = await http.post(url, data=tampered, headers={"X-Twilio-Signature": good})
        accepted = await http.post(url, data=params, headers={"X-Twilio-Signature": good})
    assert (refused.status_code, unsigned.status_code, altered.status_code) == (403, 403, 403)
    assert accepted.status_code == 204  # genuine, for a workflow that does not exist: harmless


async def test_a_worker_killed_mid_send_produces_exactly_one_sms(
    stack: Stack, client: Client, sandbox: httpx.AsyncClient, store: Store
) -> None:
    phone, reference = new_phone(), new_reference()
    # Twilio takes the message at once and answers 3 s later: the worker is killed once the
    # provider holds the message and before its answer came back, so the restarted worker
    # can only learn of it by asking the provider. (A kill before the call left is the
    # other case: the worker waits out the acceptance window, workflow test
    # test_waiting_for_the_providers_window_spends_no_attempt.)
    await sandbox.post("/sandbox/rules", json={"to": phone, "answer_delay_ms": 3000})
    await signal_milestone(client, order_event("shipped", reference, phone=phone))
    key = f"order-{reference}:shipped:1:sms"

    async def taken_but_unanswered() -> None:
        assert await sandbox_messages(sandbox, phone)
        entry = store.outbox.get(key)
        assert entry is not None and entry.provider_calls == 1
        assert entry.provider_message_id is None

    await assert_eventually(taken_but_unanswered, timeout=30, interval=0.05)
    stack.workers.pop(0).kill()
    stack.start_worker()

    history = await history_when(client, Kind.ORDER, reference, all_final(1))
    await asyncio.sleep(2)  # time for a second send, were there one, to arrive
    sent = await sandbox_messages(sandbox, phone)
    assert len(sent) == 1
    assert history.messages[0].provider_message_id == sent[0]["sid"]
    assert history.messages[0].status is DeliveryStatus.DELIVERED
    # The restarted worker asked the provider and adopted the message the dead one sent.
    assert any(s.detail == "deduplicated" for s in history.messages[0].statuses)


async def test_temporal_holds_only_ciphertext_and_the_web_ui_codec_masks(
    stack: Stack, client: Client
) -> None:
    phone, reference = new_phone(), new_reference()
    await signal_milestone(client, order_event("confirmed", reference, phone=phone))
    await history_when(client, Kind.ORDER, reference, all_final(1))

    # What the server stores (and the Web UI would show without the codec): no number.
    history = await client.get_workflow_handle(f"order-{reference}").fetch_history()
    # Event bytes hold payload data verbatim (JSON would hide it in base64).
    assert all(phone.encode() not in event.SerializeToString() for event in history.events)
    assert any(b"binary/encrypted" in event.SerializeToString() for event in history.events)

    # What support sees through the codec endpoint: decrypted, the number masked.
    signalled = next(
        e for e in history.events if e.HasField("workflow_execution_signaled_event_attributes")
    )
    payloads = signalled.workflow_execution_signaled_event_attributes.input
    ui_origin = stack.settings.effective_web_ui_origins[0]
    async with httpx.AsyncClient(base_url=stack.settings.effective_public_base_url) as http:
        decoded = await http.post(
            "/codec/decode",
            content=json_format.MessageToJson(payloads),
            headers={"Origin": ui_origin},
        )
        stranger = await http.options(
            "/codec/decode",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
    assert decoded.headers["access-control-allow-origin"] == ui_origin
    event = json.loads(json_format.Parse(decoded.content, Payloads()).payloads[0].data)
    assert event["customer"]["phone"] == f"+1********{phone[-2:]}"
    assert "access-control-allow-origin" not in stranger.headers


async def test_a_stop_reply_stops_sms_until_start(
    stack: Stack, client: Client, sandbox: httpx.AsyncClient
) -> None:
    phone, reference = new_phone(), new_reference()
    webhook = f"{stack.settings.effective_public_base_url}/twilio/inbound"

    async def reply(body: str) -> str:
        sent = {
            "from": phone,
            "to": stack.settings.sms_sender,
            "body": body,
            "webhook_url": webhook,
        }
        answer = (await sandbox.post("/sandbox/inbound", json=sent)).json()
        assert answer["status_code"] == 200
        return str(answer["response_body"])

    assert "<Response>" in await reply("Stop")
    await signal_milestone(client, order_event("shipped", reference, phone=phone))
    history = await history_when(client, Kind.ORDER, reference, lambda h: len(h.messages) == 1)
    assert history.messages[0].channel is Channel.EMAIL  # consent: never to the provider
    assert await sandbox_messages(sandbox, phone) == []

    await reply("START")
    await signal_milestone(client, order_event("delivered", reference, step=2, phone=phone))
    history = await history_when(
        client,
        Kind.ORDER,
        reference,
        lambda h: any(m.channel is Channel.SMS and m.provider_message_id for m in h.messages),
    )
    assert len(await sandbox_messages(sandbox, phone)) == 1
