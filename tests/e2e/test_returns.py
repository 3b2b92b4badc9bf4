"""The returns watcher on the running stack: a return moved to refunded in the retailer's
table (the demo SQLite table the stack watches) reaches the customer by SMS, once."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx
from sqlalchemy import create_engine
from temporalio.client import Client

from devstack.demo_returns import demo_returns_url
from devstack.stack import Stack
from domain.milestones import Kind, Milestone
from intake.returns_demo import set_return_status
from tests.e2e.test_stack import all_final, history_when, new_phone, new_reference, sandbox_messages


async def test_a_return_moved_to_refunded_in_the_table_reaches_the_customer_by_sms(
    stack: Stack, client: Client, sandbox: httpx.AsyncClient
) -> None:
    phone, rma = new_phone(), new_reference()
    engine = create_engine(demo_returns_url(stack.settings))
    try:
        # The retailer's system: a quiet status first, then the refund (no e-mail: SMS only).
        set_return_status(engine, rma, "requested", phone=phone, name="Ada")
        set_return_status(engine, rma, "refunded", refund=(Decimal("49.90"), "USD"))
    finally:
        engine.dispose()

    history = await history_when(client, Kind.RETURN, rma, all_final(1))
    assert history.last_milestone == Milestone.REFUND_PROCESSED
    await asyncio.sleep(3)  # a watcher pass or two more: nothing new to tell
    [sms] = await sandbox_messages(sandbox, phone)
    assert history.messages[0].provider_message_id == sms["sid"]
    assert "$49.90" in sms["body"] and rma in sms["body"]
