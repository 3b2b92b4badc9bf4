"""The content linter, and templates refused at load time with file, line and rule."""

from __future__ import annotations

import pytest

from domain.milestones import Milestone
from domain.timeline import Channel
from messaging.linter import content_violations, lint_text
from messaging.render import RenderError, render_message
from messaging.samples import sample_event
from tests.messaging.conftest import MerchantFile


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Congratulations, you have won our lottery!", "prize-scam"),
        ("Claim your prize today", "prize-scam"),
        ("Vous avez gagné un iPhone", "prize-scam"),
        ("おめでとうございます！当選しました", "prize-scam"),
        ("This tea cures anxiety", "medical-claim"),
        ("Lose weight fast", "medical-claim"),
        ("Hot sexy singles", "shaft-sex"),
        ("Your craft beer box has shipped", "shaft-alcohol"),
        ("Ammo restock shipped", "shaft-firearms"),
        ("Your vape kit is on its way", "shaft-tobacco"),
        ("CBD oil delivered", "shaft-tobacco"),
        ("Track it: https://bit.ly/3xYz", "url-shortener"),
        ("Track it: tinyurl.com/abc", "url-shortener"),
    ],
)
def test_prohibited_content_is_found(text: str, rule: str) -> None:
    assert rule in {found.rule for found, _ in content_violations(text)}


@pytest.mark.parametrize(
    "text",
    [
        "Your order has shipped. Track: https://track.herald.example/1Z999",
        "Begun packing; the Winery Road depot has it.",  # no whole-word match
        "Details at https://t.company.example/x",
        "Tu pedido está en camino",
        "Gün içinde teslim edilecek",
    ],
)
def test_ordinary_notifications_pass(text: str) -> None:
    assert content_violations(text) == []


def test_generated_text_must_name_the_brand() -> None:
    issues = lint_text("Your order shipped", brand_name="Herald Shop")
    assert [issue.rule for issue in issues] == ["missing-brand"]


def test_customer_names_are_not_content() -> None:
    text = "Herald Shop: Anna Beer, your order shipped"
    assert lint_text(text, brand_name="Herald Shop", ignore=["Anna Beer"]) == []
    assert lint_text(text, brand_name="Herald Shop") != []


def test_a_customer_named_beer_still_gets_her_message() -> None:
    event = sample_event(Milestone.SHIPPED, name="Anna Beer")
    assert "Anna" in render_message(event, Channel.SMS).text


def test_template_with_prohibited_content_is_refused_naming_file_line_rule(
    merchant_file: MerchantFile,
) -> None:
    path = merchant_file(
        "acme/en/sms/shipped.txt",
        "---\nbudget: 1\n---\n{{ brand.name }}: order {{ reference }} shipped.\n"
        "You have won a prize!\n",
    )
    event = sample_event(Milestone.SHIPPED, merchant="acme")
    with pytest.raises(RenderError) as raised:
        render_message(event, Channel.SMS)
    assert f"{path}:5: [prize-scam]" in str(raised.value)


def test_url_shortener_in_a_template_is_refused(merchant_file: MerchantFile) -> None:
    path = merchant_file(
        "acme/en/push/shipped.txt",
        "---\ntitle: {{ brand.name }}\n---\nOrder {{ reference }}: https://bit.ly/abc\n",
    )
    with pytest.raises(RenderError, match=rf"{path}:4: \[url-shortener\]"):
        render_message(sample_event(Milestone.SHIPPED, merchant="acme"), Channel.PUSH)


def test_template_without_brand_is_refused(merchant_file: MerchantFile) -> None:
    path = merchant_file("acme/en/sms/shipped.txt", "Order {{ reference }} shipped.\n")
    with pytest.raises(RenderError, match=rf"{path}:1: \[missing-brand\]"):
        render_message(sample_event(Milestone.SHIPPED, merchant="acme"), Channel.SMS)


def test_unknown_variable_is_refused_with_its_line(merchant_file: MerchantFile) -> None:
    path = merchant_file(
        "acme/en/sms/shipped.txt", "---\nbudget: 1\n---\n{{ brand.name }}:\n{{ tracking_number }}\n"
    )
    with pytest.raises(RenderError, match=rf"{path}:5: \[undefined-variable\].*tracking_number"):
        render_message(sample_event(Milestone.SHIPPED, merchant="acme"), Channel.SMS)


def test_syntax_error_is_refused_with_its_line(merchant_file: MerchantFile) -> None:
    path = merchant_file("acme/en/sms/shipped.txt", "{{ brand.name }}:\n{% if carrier %}\n")
    with pytest.raises(RenderError, match=rf"{path}:\d+: \[syntax\]"):
        render_message(sample_event(Milestone.SHIPPED, merchant="acme"), Channel.SMS)


def test_prohibited_word_in_the_email_subject_is_refused_at_its_line(
    merchant_file: MerchantFile,
) -> None:
    path = merchant_file(
        "acme/en/email/shipped.txt",
        "---\nsubject: Free gift inside {{ reference }}\n---\n{{ brand.name }}\n",
    )
    with pytest.raises(RenderError, match=rf"{path}:2: \[prize-scam\]"):
        render_message(sample_event(Milestone.SHIPPED, merchant="acme"), Channel.EMAIL)


def test_bad_front_matter_is_refused(merchant_file: MerchantFile) -> None:
    path = merchant_file("acme/en/sms/shipped.txt", "---\nbudget: lots\n---\n{{ brand.name }}\n")
    with pytest.raises(RenderError, match=rf"{path}:2: \[front-matter\]"):
        render_message(sample_event(Milestone.SHIPPED, merchant="acme"), Channel.SMS)


def test_printing_a_missing_value_fails_instead_of_saying_none(merchant_file: MerchantFile) -> None:
    merchant_file("acme/en/sms/shipped.txt", "{{ brand.name }}: via {{ carrier }}\n")
    sparse = sample_event(Milestone.SHIPPED, complete=False, merchant="acme")
    with pytest.raises(RenderError, match="missing value"):
        render_message(sparse, Channel.SMS)


def test_templates_cannot_reach_python_internals(merchant_file: MerchantFile) -> None:
    merchant_file("acme/en/sms/shipped.txt", "{{ brand.name }} {{ reference.__class__.__mro__ }}\n")
    with pytest.raises(RenderError):
        render_message(sample_event(Milestone.SHIPPED, merchant="acme"), Channel.SMS)
