"""Language-model wording of exception SMS and every guard rail, against a local stub."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from config.conversation import ConversationSettings
from conversation.exception_wording import (
    ExceptionFacts,
    ExceptionProblem,
    build_prompt,
    facts_from_event,
    validate_wording,
    word_exception,
)
from domain.events import Customer, MilestoneEvent, Shipment
from domain.milestones import Kind, Milestone
from messaging.brand import Brand
from providers.language_model import ChatCompletions, LanguageModelError
from sandbox.language_model import PREFIX, StubBehaviour
from tests.conversation.conftest import ConversationServer, free_port

BRAND = Brand(
    name="Herald Shop",
    support_contact="support@herald.example",
    tracking_base_url="https://track.herald.example",
)
EVENT = MilestoneEvent(
    event_id="ev-1",
    kind=Kind.ORDER,
    reference="A100",
    milestone=Milestone.DELAYED,
    occurred_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
    customer=Customer(
        name="Anna Beer",
        phone="+14155550123",
        email="anna@example.com",
        locale="en-US",
        time_zone="America/New_York",
    ),
    shipment=Shipment(
        carrier="UPS",
        tracking_id="1Z999AA10123456784",
        estimated_arrival=datetime(2026, 11, 23, 14, tzinfo=UTC),
    ),
    detail="Driver could not find 12 Elm Street, Springfield",
)
FACTS = facts_from_event(EVENT, BRAND)


def model(server: ConversationServer, timeout_seconds: float = 2.0) -> ChatCompletions:
    return ChatCompletions(
        server.base_url + PREFIX, "stub-model", api_key="sk-test", timeout_seconds=timeout_seconds
    )


def test_prompt_holds_the_order_facts_and_nothing_personal() -> None:
    prompt = json.dumps(build_prompt(FACTS, max_characters=300), ensure_ascii=False)
    for fact in ("Herald Shop", "Anna", "UPS", "1Z999AA10123456784", "delayed", "A100"):
        assert fact in prompt
    for secret in ("+14155550123", "4155550123", "anna@example.com", "Elm Street", "Beer"):
        assert secret not in prompt


def test_facts_have_no_field_for_contacts_or_addresses() -> None:
    assert set(ExceptionFacts.model_fields) == {
        "brand",
        "customer_first_name",
        "locale",
        "milestone",
        "problem",
        "reference",
        "carrier",
        "tracking_id",
        "estimated_arrival",
    }
    assert FACTS.problem is ExceptionProblem.DELAYED
    assert FACTS.estimated_arrival  # formatted for the customer


async def test_a_good_answer_is_sent(conversation_server: ConversationServer) -> None:
    async with model(conversation_server) as llm:
        text = await word_exception(FACTS, llm)
    assert text == conversation_server.language_model.answer
    [request] = conversation_server.language_model.requests
    assert request["authorization"] == "Bearer sk-test"
    assert request["body"]["model"] == "stub-model"


@pytest.mark.parametrize(
    "behaviour",
    [StubBehaviour.PROHIBITED, StubBehaviour.TOO_LONG, StubBehaviour.FAIL, StubBehaviour.GARBAGE],
)
async def test_a_bad_answer_or_a_failure_falls_back(
    conversation_server: ConversationServer, behaviour: StubBehaviour
) -> None:
    conversation_server.language_model.behaviour = behaviour
    async with model(conversation_server) as llm:
        assert await word_exception(FACTS, llm) is None


async def test_a_hanging_model_times_out(conversation_server: ConversationServer) -> None:
    conversation_server.language_model.behaviour = StubBehaviour.HANG
    async with model(conversation_server, timeout_seconds=0.3) as llm:
        with pytest.raises(LanguageModelError):
            await llm.complete([{"role": "user", "content": "hi"}])
        assert await word_exception(FACTS, llm) is None


async def test_an_unreachable_model_falls_back() -> None:
    async with ChatCompletions(f"http://127.0.0.1:{free_port()}", "m") as llm:
        assert await word_exception(FACTS, llm) is None


async def test_off_means_no_call() -> None:
    assert ChatCompletions.from_settings(ConversationSettings(_env_file=None)) is None  # type: ignore[call-arg]
    assert await word_exception(FACTS, None) is None


def test_on_needs_a_base_url_and_a_model() -> None:
    settings = ConversationSettings(
        _env_file=None,  # type: ignore[call-arg]
        language_model_enabled=True,
        language_model_base_url="http://127.0.0.1:9/v1",
        language_model_name="small",
    )
    assert isinstance(ChatCompletions.from_settings(settings), ChatCompletions)


@pytest.mark.parametrize(
    "answer",
    [
        "Your parcel is delayed.",  # no brand
        "Herald Shop: delayed. Details at https://example.com/x",  # a link
        "Herald Shop: delayed. Call us on +1 415 555 0199.",  # an invented phone number
        "Herald Shop: sorry! Enjoy a free gift on us.",  # the linter's prize bait
        "",
    ],
)
def test_validation_refuses(answer: str) -> None:
    assert validate_wording(answer, FACTS, max_segments=2) is None


def test_validation_keeps_order_data_that_looks_like_content() -> None:
    answer = "Herald Shop: Hi Anna, UPS is late with 1Z999AA10123456784. New date to follow."
    assert validate_wording(answer, FACTS, max_segments=1) == answer


def test_validation_smart_encodes_like_templates() -> None:
    answer = "Herald Shop: “Hi Anna” – your parcel is late."
    assert (
        validate_wording(answer, FACTS, max_segments=1)
        == 'Herald Shop: "Hi Anna" - your parcel is late.'
    )


def test_unicode_text_is_held_to_the_ucs2_budget() -> None:
    facts = FACTS.model_copy(update={"locale": "ja", "customer_first_name": "花子"})
    short = "Herald Shop: 花子様、お荷物の配達が遅れています。新しい日時をお知らせします。"
    assert validate_wording(short, facts, max_segments=1) == short
    assert validate_wording(short * 3, facts, max_segments=2) is None
