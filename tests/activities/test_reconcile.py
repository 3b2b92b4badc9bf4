"""reconcile_delivery_report: a lost report is fetched, not guessed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from temporalio.testing import ActivityEnvironment

from activities.dependencies import Dependencies
from activities.reconcile import ReconcileActivities, Reconciled, ReconcileInput
from tests.activities.test_send_activities import PHONE, identity, send_sms, sms_input
from tests.sandbox.conftest import RunningSandbox


async def reconcile(deps: Dependencies, sid: str) -> Reconciled:
    activities = ReconcileActivities(deps.store, deps.sms)
    request = ReconcileInput(message_key=identity().message_key, provider_message_id=sid)
    return await ActivityEnvironment().run(activities.reconcile_delivery_report, request)


async def until_final(sandbox: RunningSandbox, sid: str) -> None:
    for _ in range(100):
        if sandbox.twilio_client().messages(sid).fetch().status in ("delivered", "undelivered"):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{sid} never reached a final status")


async def test_a_lost_report_of_a_delivered_sms_is_fetched_and_recorded(
    deps: Dependencies, sandbox: RunningSandbox
) -> None:
    sandbox.http.post("/sandbox/rules", json={"to": PHONE, "send_callbacks": False})
    sent = await send_sms(deps, sms_input())  # callbacks go nowhere: the report is lost
    await until_final(sandbox, sent.provider_message_id)

    reconciled = await reconcile(deps, sent.provider_message_id)

    assert reconciled.source == "provider" and reconciled.report is not None
    assert reconciled.report.status == "delivered"
    assert deps.store.statuses.current(identity().message_key) == ("delivered", "delivered")
    again = await reconcile(deps, sent.provider_message_id)  # now from the store
    assert again.source == "store" and again.report is not None
    assert again.report.status == "delivered"


async def test_a_failed_sms_comes_back_with_its_error_code(
    deps: Dependencies, sandbox: RunningSandbox
) -> None:
    rule = {"to": PHONE, "send_callbacks": False, "final_status": "undelivered"}
    sandbox.http.post("/sandbox/rules", json={**rule, "final_error_code": 30003})
    sent = await send_sms(deps, sms_input())
    await until_final(sandbox, sent.provider_message_id)

    reconciled = await reconcile(deps, sent.provider_message_id)

    assert reconciled.report is not None
    assert (reconciled.report.status, reconciled.report.error_code) == ("undelivered", "30003")


async def test_a_message_still_on_its_way_is_said_so(
    deps: Dependencies, sandbox: RunningSandbox
) -> None:
    sandbox.http.post("/sandbox/rules", json={"to": PHONE, "hold_queued_seconds": 30})
    sent = await send_sms(deps, sms_input())

    reconciled = await reconcile(deps, sent.provider_message_id)

    assert reconciled.report is None and reconciled.provider_status == "queued"


async def test_a_report_the_store_has_is_returned_without_asking_the_provider(
    deps: Dependencies, sandbox: RunningSandbox
) -> None:
    sandbox.http.post("/sandbox/rules", json={"to": PHONE, "hold_queued_seconds": 30})
    sent = await send_sms(deps, sms_input())
    deps.store.statuses.record(
        sent.provider_message_id, "delivered", None, datetime.now(UTC), final=True
    )

    reconciled = await reconcile(deps, sent.provider_message_id)

    assert reconciled.source == "store" and reconciled.report is not None
