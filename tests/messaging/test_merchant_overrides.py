"""Merchant overrides: any file replaces the built-in one, only for that merchant."""

from __future__ import annotations

from domain.milestones import Milestone
from domain.timeline import Channel
from messaging.brand import Brand
from messaging.render import render_message
from messaging.samples import sample_event
from tests.messaging.conftest import MerchantFile


def test_merchant_template_replaces_the_builtin(merchant_file: MerchantFile) -> None:
    merchant_file(
        "acme/en/sms/shipped.txt",
        "{{ brand.name }}: Yo {{ customer.first_name }}! {{ reference }} is coming.\n",
    )
    text = render_message(sample_event(Milestone.SHIPPED, merchant="acme"), Channel.SMS).text
    assert text == "Herald Shop: Yo Christopher! HS-2025-0048213 is coming."


def test_other_merchants_and_milestones_keep_the_builtin(merchant_file: MerchantFile) -> None:
    merchant_file("acme/en/sms/shipped.txt", "{{ brand.name }}: Yo!\n")
    assert "Yo!" not in render_message(sample_event(Milestone.SHIPPED), Channel.SMS).text
    other = sample_event(Milestone.SHIPPED, merchant="globex")
    assert "Yo!" not in render_message(other, Channel.SMS).text
    delivered = sample_event(Milestone.DELIVERED, merchant="acme")
    assert "delivered" in render_message(delivered, Channel.SMS).text


def test_merchant_can_restyle_the_email_layout_only(merchant_file: MerchantFile) -> None:
    merchant_file(
        "acme/en/email/_layout.html",
        '<div class="acme">{{ brand.name }}'
        "{% for p in paragraphs %}<p>{{ p }}</p>{% endfor %}</div>",
    )
    message = render_message(sample_event(Milestone.SHIPPED, merchant="acme"), Channel.EMAIL)
    assert message.html is not None
    assert message.html.startswith('<div class="acme">Herald Shop<p>Hi Christopher,</p>')


def test_merchant_milestone_html_replaces_the_layout(merchant_file: MerchantFile) -> None:
    merchant_file(
        "acme/en/email/shipped.html", "<section>{{ subject }} &middot; {{ brand.name }}</section>"
    )
    brand = Brand(
        name="Smith & <Sons>", support_contact="s@s.test", tracking_base_url="https://s.test"
    )
    event = sample_event(Milestone.SHIPPED, merchant="acme")
    message = render_message(event, Channel.EMAIL, brand=brand)
    assert message.html == (
        "<section>Your order HS-2025-0048213 is on its way &middot; "
        "Smith &amp; &lt;Sons&gt;</section>"
    )


def test_unsafe_merchant_ids_use_the_builtin_templates(merchant_file: MerchantFile) -> None:
    merchant_file("acme/en/sms/shipped.txt", "{{ brand.name }}: Yo!\n")
    event = sample_event(Milestone.SHIPPED, merchant="../acme")
    assert "Yo!" not in render_message(event, Channel.SMS).text


def test_merchant_locale_applies_only_to_that_locale(merchant_file: MerchantFile) -> None:
    merchant_file("acme/de/sms/shipped.txt", "{{ brand.name }}: Hallo!\n")
    german = sample_event(Milestone.SHIPPED, "de", merchant="acme")
    assert render_message(german, Channel.SMS).text == "Herald Shop: Hallo!"
    english = render_message(sample_event(Milestone.SHIPPED, merchant="acme"), Channel.SMS)
    assert english.locale == "en"
    assert "Hallo" not in english.text
