"""render_message: the interface the core workflow calls."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from domain.events import Customer, DeliveryProblem, MilestoneEvent
from domain.milestones import Milestone
from domain.timeline import Channel
from messaging.bidi import starts_right_to_left
from messaging.brand import Brand, default_brand
from messaging.context import TEMPLATE_VARIABLES, build_context
from messaging.render import RenderedMessage, render_message
from messaging.samples import SAMPLE_REFERENCE, sample_event
from messaging.segments import count_segments
from messaging.templates import clear_template_caches

ALL_MILESTONES = list(Milestone)


@pytest.mark.parametrize("milestone", ALL_MILESTONES)
@pytest.mark.parametrize("complete", [True, False], ids=["complete", "sparse"])
def test_english_sms_for_every_milestone(milestone: Milestone, complete: bool) -> None:
    message = render_message(sample_event(milestone, complete=complete), Channel.SMS)
    assert message.channel is Channel.SMS
    assert message.locale == "en"
    assert message.text.startswith("Herald Shop: ")
    assert SAMPLE_REFERENCE in message.text
    assert "None" not in message.text
    assert message.encoding == "GSM-7"
    assert message.segments == 1
    assert message.segments == count_segments(message.text).segments
    assert message.estimated_cost_usd == Decimal("0.0075")  # a US number
    assert message.subject is None and message.html is None


@pytest.mark.parametrize("milestone", ALL_MILESTONES)
def test_english_email_for_every_milestone(milestone: Milestone) -> None:
    message = render_message(sample_event(milestone), Channel.EMAIL)
    assert message.subject and SAMPLE_REFERENCE in message.subject
    assert "Christopher" in message.text
    assert "Herald Shop" in message.text
    assert message.html is not None
    assert message.html.startswith("<!DOCTYPE html>")
    assert 'lang="en"' in message.html
    assert message.encoding is None and message.segments is None
    assert message.estimated_cost_usd is None


@pytest.mark.parametrize("milestone", ALL_MILESTONES)
def test_english_push_for_every_milestone(milestone: Milestone) -> None:
    message = render_message(sample_event(milestone, complete=False), Channel.PUSH)
    assert message.subject and message.subject.startswith("Herald Shop")
    assert SAMPLE_REFERENCE in message.text
    assert "\n" not in message.text


def test_sms_carries_status_tracking_link_and_name() -> None:
    message = render_message(sample_event(Milestone.SHIPPED), Channel.SMS)
    assert "Christopher" in message.text
    assert "shipped" in message.text
    assert "https://track.herald.example/1Z999AA10123456784" in message.text


def test_refund_amount_is_formatted_money() -> None:
    message = render_message(sample_event(Milestone.REFUND_PROCESSED), Channel.SMS)
    assert "$1,249.99" in message.text


def test_html_is_autoescaped() -> None:
    event = sample_event(Milestone.SHIPPED).model_copy(
        update={"customer": _customer(name="<script>alert(1)</script> Lee")}
    )
    message = render_message(event, Channel.EMAIL)
    assert message.html is not None
    assert "<script>" not in message.html
    assert "&lt;script&gt;" in message.html
    assert "<script>" in message.text  # plain text is not HTML: nothing to escape


def test_brand_argument_overrides_settings() -> None:
    brand = Brand(
        name="Acme", support_contact="help@acme.test", tracking_base_url="https://t.acme.test"
    )
    message = render_message(sample_event(Milestone.SHIPPED), Channel.SMS, brand=brand)
    assert message.text.startswith("Acme: ")
    assert "https://t.acme.test/1Z999AA10123456784" in message.text


def test_first_sms_to_a_number_carries_opt_out() -> None:
    event = sample_event(Milestone.CONFIRMED)
    assert "STOP" not in render_message(event, Channel.SMS).text
    message = render_message(event, Channel.SMS, first_sms_to_number=True)
    assert message.text.endswith("Reply STOP to opt out.")
    assert message.segments == 1


def test_result_is_a_rendered_message() -> None:
    message = render_message(sample_event(Milestone.DELIVERED), Channel.SMS)
    assert isinstance(message, RenderedMessage)
    assert RenderedMessage.model_validate(message.model_dump()) == message


def test_unknown_locale_falls_back_to_default() -> None:
    event = sample_event(Milestone.SHIPPED).model_copy(
        update={"customer": _customer(locale="xx-YY")}
    )
    assert render_message(event, Channel.SMS).locale == "en"


@pytest.mark.parametrize("channel", [Channel.SMS, Channel.EMAIL, Channel.PUSH])
def test_a_flagged_oms_note_is_left_out_and_recorded_never_failing_the_render(
    channel: Channel,
) -> None:
    note = "You have won a free gift card, claim your prize now"
    event = sample_event(Milestone.DELAYED).model_copy(update={"detail": note})

    message = render_message(event, channel)

    assert "prize" not in message.text and "gift card" not in message.text
    assert message.withheld and message.withheld[0].startswith("detail: [prize-scam]")


def test_a_flagged_carrier_name_is_left_out_too() -> None:
    event = sample_event(Milestone.SHIPPED)
    assert event.shipment is not None
    shipment = event.shipment.model_copy(update={"carrier": "Vape Express"})
    message = render_message(event.model_copy(update={"shipment": shipment}), Channel.SMS)

    assert "Vape" not in message.text
    assert message.withheld == [
        "carrier: [shaft-tobacco] tobacco, vaping or cannabis (SHAFT): 'vape'"
    ]


@pytest.mark.parametrize(
    "note",
    [
        "contains a hot glue gun, fragile",
        "wine rack, assembled",
        "via the Wine Country hub",
        "signed copy of The Cure vinyl",
    ],
)
def test_an_ordinary_product_or_place_in_the_note_is_kept(note: str) -> None:
    event = sample_event(Milestone.DELAYED).model_copy(update={"detail": note})
    message = render_message(event, Channel.EMAIL)
    assert note in message.text
    assert message.withheld == []


def test_the_oms_note_keeps_its_letters_in_an_sms() -> None:
    event = sample_event(Milestone.DELAYED, "tr").model_copy(update={"detail": "kapı sık kapalı"})
    message = render_message(event, Channel.SMS)
    # Shown whole as the OMS wrote it, or dropped as an optional part: never "sik".
    assert "sik" not in message.text
    assert "kapı sık kapalı" in message.text or "kap" not in message.text


def test_an_arabic_sms_opens_right_to_left() -> None:
    message = render_message(sample_event(Milestone.SHIPPED, "ar"), Channel.SMS)
    assert message.text.startswith("\u200fHerald Shop")
    push = render_message(sample_event(Milestone.SHIPPED, "ar"), Channel.PUSH)
    assert starts_right_to_left(push.text)
    latin = render_message(sample_event(Milestone.SHIPPED, "en"), Channel.SMS)
    assert not latin.text.startswith("\u200f")


def _customer(**changes: str) -> Customer:
    base = sample_event(Milestone.SHIPPED).customer.model_dump()
    return Customer.model_validate({**base, **changes})


def test_event_fixture_is_valid() -> None:
    assert isinstance(sample_event(Milestone.RESOLVED), MilestoneEvent)


def test_no_file_is_read_after_warm_up(monkeypatch: pytest.MonkeyPatch) -> None:
    events = [sample_event(milestone) for milestone in ALL_MILESTONES]
    for event in events:
        for channel in Channel:
            render_message(event, channel, first_sms_to_number=True)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a template file was read after warm-up")

    monkeypatch.setattr("pathlib.Path.read_text", refuse)
    monkeypatch.setattr("pathlib.Path.is_file", refuse)
    for event in events:
        for channel in Channel:
            render_message(event, channel, first_sms_to_number=True)


def test_concurrent_renders_agree() -> None:
    events = [sample_event(milestone) for milestone in ALL_MILESTONES] * 8
    expected = [render_message(event, Channel.SMS).text for event in events]
    clear_template_caches()  # the threads race to compile, too
    with ThreadPoolExecutor(max_workers=8) as pool:
        texts = list(pool.map(lambda event: render_message(event, Channel.SMS).text, events))
    assert texts == expected


@pytest.mark.parametrize("problem", [None, *DeliveryProblem])
def test_templates_read_the_delivery_problem_as_its_value(problem: DeliveryProblem | None) -> None:
    event = sample_event(Milestone.EXCEPTION, problem=problem)
    context = build_context(event, default_brand(), "en", "en")
    assert context["problem"] == (problem.value if problem else None)
    assert problem is None or type(context["problem"]) is str  # a plain string, not the enum
    assert "problem" in TEMPLATE_VARIABLES
