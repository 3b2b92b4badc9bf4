"""Budget-driven shortening: optional parts go, lowest priority first; words stay whole."""

from __future__ import annotations

from domain.milestones import Milestone
from domain.timeline import Channel
from messaging.render import render_message
from messaging.samples import sample_event
from tests.messaging.conftest import MerchantFile

TEMPLATE = """---
budget: 1
---
{{ brand.name }}: order {{ reference }} is late.
{%- optional 2 %} New estimate: {{ arrival_short }}.{% endoptional %}
{%- optional %} Reason: {{ detail }}{% endoptional %}
 Track: {{ tracking_link }}
"""


def _delayed(detail: str) -> str:
    event = sample_event(Milestone.DELAYED, merchant="acme").model_copy(update={"detail": detail})
    return render_message(event, Channel.SMS).text


def test_everything_is_kept_when_it_fits(merchant_file: MerchantFile) -> None:
    merchant_file("acme/en/sms/delayed.txt", TEMPLATE)
    text = _delayed("Storm")
    assert "Reason: Storm" in text and "New estimate" in text


def test_priority_one_goes_first(merchant_file: MerchantFile) -> None:
    merchant_file("acme/en/sms/delayed.txt", TEMPLATE)
    text = _delayed("A very long explanation from the warehouse about why the parcel is late")
    assert "Reason" not in text
    assert "New estimate" in text
    assert "  " not in text


def test_priority_two_goes_next(merchant_file: MerchantFile) -> None:
    merchant_file(
        "acme/en/sms/delayed.txt",
        TEMPLATE.replace("{{ reference }}", "{{ reference }} " + "x" * 40),
    )
    text = _delayed("Storm")
    assert "Reason" not in text and "New estimate" not in text
    assert text.endswith("Track: https://track.herald.example/1Z999AA10123456784")


def test_a_message_that_cannot_fit_goes_out_whole(merchant_file: MerchantFile) -> None:
    merchant_file("acme/en/sms/delayed.txt", "{{ brand.name }}: " + "word " * 40 + "end")
    event = sample_event(Milestone.DELAYED, merchant="acme")
    message = render_message(event, Channel.SMS)
    assert message.text.endswith("word end")
    assert message.segments == 2


def test_budget_from_front_matter(merchant_file: MerchantFile) -> None:
    merchant_file("acme/en/sms/delayed.txt", TEMPLATE.replace("budget: 1", "budget: 2"))
    text = _delayed("A very long explanation from the warehouse about why the parcel is late")
    assert "Reason: A very long explanation" in text


def test_ucs2_budget_applies_when_the_name_needs_ucs2(merchant_file: MerchantFile) -> None:
    template = (
        "---\nbudget: 1\nbudget_ucs2: 2\n---\n"
        "{{ brand.name }}: {{ customer.name }}, order {{ reference }} is late."
        "{% optional %} Reason: {{ detail }}{% endoptional %} {{ tracking_link }}\n"
    )
    merchant_file("acme/en/sms/delayed.txt", template)
    event = sample_event(Milestone.DELAYED, name="Łukasz Wiśniewski", merchant="acme")
    message = render_message(event, Channel.SMS)
    assert message.encoding == "UCS-2"
    assert message.segments == 2
    assert "Reason" not in message.text
