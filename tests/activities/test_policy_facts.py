"""The policy-facts local activity against a real store: what it reads and renders."""

from __future__ import annotations

from datetime import UTC, datetime

from temporalio.testing import ActivityEnvironment

from activities.dependencies import Dependencies
from activities.policy_facts import PolicyFacts, PolicyFactsActivities, PolicyFactsInput
from activities.render import SmsRenderer
from domain.milestones import Milestone
from domain.timeline import Channel
from policy.channels import ConsentState
from tests.helpers.events import customer, order_event
from tests.store.test_outbox import new_message

PHONE, EMAIL = customer().phone, customer().email
NO_CRITICAL: frozenset[str] = frozenset()


async def gather(deps: Dependencies, request: PolicyFactsInput) -> PolicyFacts:
    activities = PolicyFactsActivities(deps.store, SmsRenderer(deps.store))
    return await ActivityEnvironment().run(activities.gather_policy_facts, request)


def shipped_request() -> PolicyFactsInput:
    event = order_event("shipped", "P1")
    return PolicyFactsInput(milestone=Milestone.SHIPPED, phone=PHONE, email=EMAIL, sms_of=event)


def an_accepted_sms(deps: Dependencies, key: str = "order-P0:confirmed:1:sms") -> None:
    assert PHONE is not None
    now = datetime.now(UTC)
    deps.store.outbox.claim(new_message(key, PHONE), now, calling=True)
    deps.store.outbox.complete(key, "SM0", now)


async def test_a_new_number_gets_the_opt_out_line_and_no_restrictions(
    deps: Dependencies,
) -> None:
    facts = await gather(deps, shipped_request())

    assert facts.sms_consent is None and facts.muted == [] and facts.recent_sms == []
    assert facts.sms is not None and "Reply STOP to opt out." in facts.sms.text


async def test_the_customers_consent_choices_and_recent_sends_are_all_read(
    deps: Dependencies,
) -> None:
    assert PHONE is not None and EMAIL is not None
    an_accepted_sms(deps)
    now = datetime.now(UTC)
    deps.store.consent.opt_out(PHONE, at=now, source="sms_reply", keyword="STOP")
    deps.store.preferences.set(
        EMAIL,
        "order_progress",
        Channel.PUSH,
        False,
        critical_types=NO_CRITICAL,
        at=now,
        source="api",
    )

    facts = await gather(deps, shipped_request())

    assert facts.sms_consent is ConsentState.OPTED_OUT
    assert facts.muted == [Channel.PUSH]  # chosen under the e-mail, applies to the customer
    assert [r.notification_type for r in facts.recent_sms] == ["order_progress"]
    assert facts.sms is not None and "STOP" not in facts.sms.text  # not the first SMS


async def test_a_customer_without_a_phone_gets_facts_but_no_sms_facts(
    deps: Dependencies,
) -> None:
    request = shipped_request().model_copy(update={"phone": None, "sms_of": None})

    facts = await gather(deps, request)

    assert facts.sms_consent is None and facts.recent_sms == [] and facts.sms is None


async def test_a_claimed_sms_comes_back_with_the_text_it_claimed(deps: Dependencies) -> None:
    """A send that stopped is finished with the text it claimed, not a new rendering."""
    assert PHONE is not None
    key = "order-P1:shipped:1:sms"
    deps.store.outbox.claim(new_message(key, PHONE), datetime.now(UTC), calling=True)
    asking = shipped_request().model_copy(update={"claimed_key": key})

    facts = await gather(deps, asking)
    unclaimed = await gather(deps, asking.model_copy(update={"claimed_key": "order-P1:x:1:sms"}))

    assert facts.claimed_sms is not None and facts.claimed_sms.text == "Your order has shipped"
    assert facts.claimed_sms.segments == 1 and facts.sms is not None
    assert facts.claimed_sms.text != facts.sms.text and unclaimed.claimed_sms is None
