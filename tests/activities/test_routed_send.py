"""The send activity with several providers: the route chosen once and kept, the send
through the chosen provider's SDK, failover on an outage at once, outcomes measured."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError

from activities.delivery import SENDER_BUSY
from activities.dependencies import Dependencies, sms_router
from activities.sms import SendSmsInput, SmsActivities, SmsSent
from activities.sms_routing import count_final_outcome
from reporting.query import StatsFilter, read_messages
from sandbox.twilio_api import SANDBOX_MESSAGING_SERVICE
from store.message_facts import MessageFacts
from store.migrate import upgrade
from tests.activities.test_send_activities import activity_environment, identity
from tests.helpers.temporal import settings_for_tests
from tests.sandbox.conftest import RunningSandbox

BRAZIL = "+5511987654321"
NOW = datetime.now(UTC)


@pytest.fixture
async def routed(sandbox: RunningSandbox, tmp_path: Path):  # type: ignore[no-untyped-def]
    box = sandbox.settings
    settings = settings_for_tests(
        data_dir=tmp_path,
        sandbox_port=box.sandbox_port,
        sandbox_smtp_port=box.sandbox_smtp_port,
        public_base_url="http://127.0.0.1:9",
        sms_sender_messages_per_second=1000.0,
        sms_providers="twilio,vonage,plivo",
    )
    upgrade(settings.effective_database_url)
    deps = Dependencies.create(settings)
    deps.sms_router._rng = random.Random(3)
    try:
        yield deps
    finally:
        await deps.close()


def measured(deps: Dependencies, provider: str, delivered: int, failed: int) -> None:
    for n in range(delivered + failed):
        deps.store.routes.record_outcome(
            provider,
            "BR",
            "delivered" if n < delivered else "failed",
            now=NOW,
            half_life_seconds=3600,
            cost_usd=Decimal("0.03"),
        )


def brazil_sms(reference: str = "B1") -> SendSmsInput:
    return SendSmsInput(
        identity=identity(reference=reference), to=BRAZIL, body="Shipped!", segments=1
    )


async def send(deps: Dependencies, request: SendSmsInput) -> SmsSent:
    activities = SmsActivities(
        deps.settings, deps.store, deps.sms, deps.report_waits, router=deps.sms_router
    )
    return await (await activity_environment()).run(activities.send_sms, request)


async def test_the_measured_best_route_sends_and_the_choice_is_kept(
    routed: Dependencies, sandbox: RunningSandbox
) -> None:
    measured(routed, "vonage", 97, 3)
    measured(routed, "twilio", 60, 40)
    measured(routed, "plivo", 50, 50)
    routed.sms_router._rules = routed.sms_router._rules.model_copy(
        update={"exploration_share": 0.0}
    )
    sent = await send(routed, brazil_sms())

    assert sent.provider == "vonage" and sent.route_order[0] == "vonage"
    assert sent.route_reason is not None and "vonage by best score" in sent.route_reason
    parts = sandbox.http.get("/sandbox/vonage/messages").json()["parts"]
    assert [p["client_ref"] for p in parts] == [identity(reference="B1").message_key]
    kept = routed.store.message_routes.get(identity(reference="B1").message_key)
    assert kept is not None and kept.provider == "vonage" and kept.country == "BR"

    again = await send(routed, brazil_sms())  # a retry: same route, no second SMS
    assert again.deduplicated and again.provider == "vonage"
    assert len(sandbox.http.get("/sandbox/vonage/messages").json()["parts"]) == 1


async def test_an_outage_moves_to_the_next_provider_at_once(
    routed: Dependencies, sandbox: RunningSandbox
) -> None:
    measured(routed, "plivo", 99, 1)
    measured(routed, "vonage", 80, 20)
    measured(routed, "twilio", 10, 90)
    routed.sms_router._rules = routed.sms_router._rules.model_copy(
        update={"exploration_share": 0.0}
    )
    sandbox.http.put(
        "/sandbox/world/plivo", json=[{"outages": [{"start": 0, "end": 4_000_000_000}]}]
    )
    sent = await send(routed, brazil_sms("B2"))

    assert sent.provider == "vonage" and sent.route_order[:2] == ["plivo", "vonage"]
    assert routed.store.routes.breakers_for("BR")["plivo"].failures == 1
    key = identity(reference="B2").message_key
    assert routed.store.outbox.get(f"{key}@vonage") is not None  # its own outbox row
    assert sandbox.http.get("/sandbox/plivo/messages").json()["messages"] == []


async def test_when_every_provider_is_down_the_last_error_is_raised(
    routed: Dependencies, sandbox: RunningSandbox
) -> None:
    down = [{"outages": [{"start": 0, "end": 4_000_000_000}]}]
    sandbox.http.put("/sandbox/world/plivo", json=down)
    sandbox.http.put("/sandbox/world/vonage", json=down)
    sandbox.http.put(
        "/sandbox/rules", json=[{"to": "+55*", "api_error_status": 503, "api_error_code": 20503}]
    )
    with pytest.raises(ApplicationError):
        await send(routed, brazil_sms("B3"))
    breakers = routed.store.routes.breakers_for("BR")
    assert sum(b.failures for b in breakers.values()) == 2  # the last one's is the retry's


async def test_the_first_final_report_is_counted_once_on_the_route(
    routed: Dependencies, sandbox: RunningSandbox
) -> None:
    sent = await send(routed, brazil_sms("B4"))
    key = identity(reference="B4").message_key
    later = datetime.now(UTC)
    count_final_outcome(routed.store, key, "delivered", later, 3600)
    count_final_outcome(routed.store, key, "delivered", later, 3600)  # a replayed report
    stats = routed.store.routes.stats_for("BR")[sent.provider]
    assert stats.delivered == pytest.approx(1.0) and stats.seconds_weight == pytest.approx(1.0)


async def test_a_final_report_that_beat_the_accept_is_counted_when_the_accept_is(
    routed: Dependencies,
) -> None:
    """The report reached the HTTP service before the provider's answer reached the worker:
    the route had no provider to count it on then. The accept counts it, once."""
    from tests.store.test_outbox import new_message

    key = identity(reference="B5").message_key
    route = await routed.sms_router.route_for(key, BRAZIL, 1)
    provider = route.order[0]
    routed.store.outbox.claim(new_message(key, recipient=BRAZIL), NOW, calling=True)
    routed.store.statuses.record("early-1", "delivered", None, NOW, message_key=key, final=True)
    count_final_outcome(routed.store, key, "delivered", NOW, 3600)  # the HTTP service's try
    assert provider not in routed.store.routes.stats_for("BR")

    await routed.sms_router.accepted(key, provider, "BR", Decimal("0.03"))
    count_final_outcome(routed.store, key, "delivered", NOW, 3600)  # a replayed report

    stats = routed.store.routes.stats_for("BR")[provider]
    assert stats.delivered == pytest.approx(1.0) and stats.failed == 0


async def test_twilio_alone_needs_no_routing(tmp_path: Path) -> None:
    settings = settings_for_tests(data_dir=tmp_path)
    upgrade(settings.effective_database_url)
    from store.repository import Store

    store = Store.connect(settings.effective_database_url)
    try:
        router = sms_router(settings, store, sms=None)  # type: ignore[arg-type]
        assert list(router.providers) == ["twilio"] and not router.routes
        await router.providers["twilio"].close()
    finally:
        store.close()


async def test_a_lost_plivo_report_is_reconciled_from_plivo(
    routed: Dependencies, sandbox: RunningSandbox
) -> None:
    import asyncio

    from activities.reconcile import ReconcileActivities, ReconcileInput

    sandbox.http.put("/sandbox/world/plivo", json=[{"report_delay_seconds": 0.05}])
    request = brazil_sms("B5").model_copy(update={"provider": "plivo"})
    sent = await send(routed, request)
    assert sent.provider == "plivo"
    await asyncio.sleep(0.4)  # delivered at Plivo; its callback went nowhere
    others = {n: p for n, p in routed.sms_router.providers.items() if n != "twilio"}
    reconcile = ReconcileActivities(routed.store, routed.sms, others)
    found = await (await activity_environment()).run(
        reconcile.reconcile_delivery_report,
        ReconcileInput(
            message_key=identity(reference="B5").message_key,
            provider_message_id=sent.provider_message_id,
            provider="plivo",
        ),
    )
    assert found.source == "provider" and found.report is not None
    assert found.report.status == "delivered"


def test_each_providers_sender_keeps_its_own_pace(tmp_path: Path) -> None:
    from activities.sms_routing import SmsRouter
    from routing.rules import RoutingRules
    from routing.senders import SenderIdentity
    from store.repository import Store

    settings = settings_for_tests(data_dir=tmp_path)
    upgrade(settings.effective_database_url)
    store = Store.connect(settings.effective_database_url)
    try:
        senders = [
            SenderIdentity(provider="vonage", country="BR", kind="short_code", value="29290")
        ]
        router = SmsRouter(store, RoutingRules(senders=senders), {})
        assert router.pace("vonage", "BR").key == "vonage:29290"
        assert router.pace("vonage", "BR").messages_per_second == 100.0
        assert router.pace("plivo", "BR").messages_per_second == 1.0  # undescribed: a long code
    finally:
        store.close()


async def test_the_first_attempts_pacing_slot_is_the_chosen_providers_senders(
    routed: Dependencies, sandbox: RunningSandbox
) -> None:
    now, slow = datetime.now(UTC).timestamp(), 1 / 30  # a slot every 30 s
    pace = routed.sms_router.pace("plivo", "BR")
    # Herald's Twilio sender booked for the next 30 s: no matter to Plivo's sender.
    routed.store.sender_limiter.reserve(routed.settings.sms_sender, slow, now)
    first = brazil_sms("P1").model_copy(update={"provider": "plivo", "reserve_slot": True})
    sent = await send(routed, first)
    assert sent.provider == "plivo" and not sent.deduplicated

    # Plivo's sender booked: its slot is 30 s away, handed to the workflow's timer.
    routed.store.sender_limiter.reserve(pace.key, slow, now)
    second = brazil_sms("P2").model_copy(update={"provider": "plivo", "reserve_slot": True})
    with pytest.raises(ApplicationError) as raised:
        await send(routed, second)
    assert raised.value.type == SENDER_BUSY and raised.value.details[0]["code"] == "pacing"
    assert raised.value.details[0]["retry_at"] > now + 25
    listed = sandbox.http.get("/sandbox/plivo/messages").json()["messages"]
    assert [m["message_uuid"] for m in listed] == [sent.provider_message_id]


async def test_routings_twilio_sender_sends_and_the_provider_that_took_it_is_reported(
    routed: Dependencies, sandbox: RunningSandbox
) -> None:
    """Twilio chosen for a country sends from routing's Twilio sender (config/routing.toml:
    the messaging service), and the metrics and the KPIs name Twilio; Vonage chosen for
    another message is named Vonage, though the facts were written before the choice."""
    measured(routed, "twilio", 97, 3)
    measured(routed, "vonage", 50, 50)
    measured(routed, "plivo", 5, 95)
    routed.sms_router._rules = routed.sms_router._rules.model_copy(
        update={"exploration_share": 0.0}
    )
    activities = SmsActivities(
        routed.settings, routed.store, routed.sms, routed.report_waits, router=routed.sms_router
    )
    took: list[str] = []
    for reference in ("T1", "V1"):
        if reference == "V1":
            measured(routed, "twilio", 0, 400)  # now Twilio scores worst
        request = brazil_sms(reference)
        routed.store.message_facts.record(
            MessageFacts(
                message_key=request.identity.message_key,
                workflow_id=request.identity.workflow_id,
                event_id=f"{reference}:shipped",
                event_occurred_at=NOW,
                merchant=None,
                country="BR",
                provider="twilio",  # what decide_and_send writes before routing chooses
                channel="sms",
            ),
            NOW,
        )
        environment = await activity_environment()
        await environment.run(partial(activities.send, request, on_accepted=took.append))

    assert took == ["twilio", "vonage"]
    [twilio_record] = sandbox.http.get("/sandbox/messages").json()["messages"]
    assert twilio_record["messaging_service_sid"] == SANDBOX_MESSAGING_SERVICE
    by_provider = {
        name: [
            m.message_key for m in read_messages(routed.store.engine, StatsFilter(provider=name))
        ]
        for name in ("twilio", "vonage")
    }
    assert by_provider == {
        "twilio": [identity(reference="T1").message_key],
        "vonage": [identity(reference="V1").message_key],
    }
    labels = routed.store.message_facts.labels_of(identity(reference="V1").message_key)
    assert labels is not None and labels[2] == "vonage"
