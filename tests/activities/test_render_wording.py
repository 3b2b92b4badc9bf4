"""Exception SMS worded by the language model, and the template whenever it cannot be."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI

from activities.render import SmsRenderer
from config.conversation import ConversationSettings
from domain.timeline import Channel
from messaging.render import render_message
from providers.language_model import ChatCompletions
from sandbox.language_model import LanguageModelStub, StubBehaviour, create_stub_router
from store.repository import Store
from tests.helpers.events import order_event

# The store fixture (SQLite, and PostgreSQL when HERALD_TEST_POSTGRES_URL is set).
from tests.store.conftest import store  # noqa: F401
from tests.store.test_outbox import new_message

FROM_THE_FACTS = "Herald Shop: sorry Ana, order W1 is running late."


@pytest.fixture
def stub() -> LanguageModelStub:
    return LanguageModelStub(answer=FROM_THE_FACTS)


@pytest.fixture
async def activities(
    store: Store,  # noqa: F811
    stub: LanguageModelStub,
) -> AsyncIterator[SmsRenderer]:
    app = FastAPI()
    app.include_router(create_stub_router(stub))
    model = ChatCompletions(
        "http://model/sandbox/llm/v1",
        "stub",
        timeout_seconds=0.5,
        transport=httpx.ASGITransport(app=app),
    )
    settings = ConversationSettings(_env_file=None)  # type: ignore[call-arg]
    yield SmsRenderer(store, model, settings)
    await model.aclose()


def texted_before(store: Store) -> None:  # noqa: F811
    """The number has had an SMS: no opt-out line is due, so the model may word this one."""
    now = datetime.now(UTC)
    store.outbox.claim(new_message("x:1", recipient="+14155550167"), now)
    store.outbox.complete("x:1", "SM1", now)


async def render(activities: SmsRenderer, milestone: str) -> str:
    event = order_event(milestone, "W1")
    return (await activities.render(event)).text


def template_text(milestone: str, first_sms: bool = False) -> str:
    event = order_event(milestone, "W1")
    return render_message(event, Channel.SMS, first_sms_to_number=first_sms).text


async def test_a_delay_is_worded_by_the_model(
    activities: SmsRenderer,
    stub: LanguageModelStub,
    store: Store,  # noqa: F811
) -> None:
    texted_before(store)
    assert await render(activities, "delayed") == FROM_THE_FACTS
    prompt = str(stub.requests[0]["body"]["messages"])
    assert "+14155550167" not in prompt and "ana@example.com" not in prompt


@pytest.mark.parametrize(
    "behaviour",
    [StubBehaviour.FAIL, StubBehaviour.HANG, StubBehaviour.PROHIBITED, StubBehaviour.TOO_LONG],
)
async def test_any_failure_sends_the_template(
    activities: SmsRenderer,
    stub: LanguageModelStub,
    store: Store,  # noqa: F811
    behaviour: StubBehaviour,
) -> None:
    texted_before(store)
    stub.behaviour = behaviour
    assert await render(activities, "delivery_attempted") == template_text("delivery_attempted")
    assert stub.requests  # it was asked, and its answer was not used


async def test_the_first_sms_to_a_number_and_routine_milestones_use_templates(
    activities: SmsRenderer, stub: LanguageModelStub
) -> None:
    assert await render(activities, "delayed") == template_text("delayed", first_sms=True)
    assert await render(activities, "shipped") == template_text("shipped", first_sms=True)
    assert stub.requests == []
