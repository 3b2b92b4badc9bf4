"""Every milestone × locale × channel, with realistic long-ish data: lint clean, on budget."""

from __future__ import annotations

import pytest

from config.messaging import get_messaging_settings
from domain.milestones import Milestone
from domain.timeline import Channel
from messaging.checks import check_library
from messaging.render import RenderedMessage, render_message, sms_budget
from messaging.samples import SAMPLE_LOCALES, SAMPLE_REFERENCE, sample_event
from messaging.segments import Encoding, count_segments, is_gsm7_character
from messaging.templates import library_for, milestone_template_name

SHIPPED_LOCALES = ("en", "es", "fr", "de", "it", "pt-BR", "nl", "pl", "tr", "ja", "zh-Hans", "ar")
UCS2_LOCALES = {"ja", "zh-Hans", "ar"}
GSM7_LETTER_LOCALES = ["en", "de", "it", "nl"]  # no template letter outside GSM-7
OWN_LETTER_LOCALES = ["es", "fr", "pl", "pt-BR", "tr"]  # á, ç, ł, ã, ş: kept, so UCS-2


def _render(
    milestone: Milestone, locale: str, channel: Channel, **kwargs: object
) -> list[RenderedMessage]:
    sample = SAMPLE_LOCALES[locale]
    return [
        render_message(
            sample_event(milestone, locale, name=name, complete=complete), channel, **kwargs
        )
        for name in sample.names
        for complete in (True, False)
    ]


def test_every_shipped_locale_has_samples_and_templates() -> None:
    assert set(SAMPLE_LOCALES) == set(SHIPPED_LOCALES)
    assert library_for(None).locales == frozenset(SHIPPED_LOCALES)


def test_builtin_templates_pass_every_check() -> None:
    report = check_library()
    assert report.problems == (), "\n".join(map(str, report.problems))
    # Per locale: every milestone on three channels, the opt-out line and the e-mail
    # layout; plus the one shared base layout they all extend.
    assert report.templates == len(SHIPPED_LOCALES) * (3 * len(Milestone) + 2) + 1


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
@pytest.mark.parametrize("milestone", list(Milestone))
@pytest.mark.parametrize("channel", list(Channel))
def test_render(locale: str, milestone: Milestone, channel: Channel) -> None:
    for message in _render(milestone, locale, channel):
        assert message.locale == locale
        shown = f"{message.subject or ''}\n{message.text}"
        assert SAMPLE_REFERENCE in shown
        assert "Herald Shop" in shown
        for leftover in ("None", "{{", "{%", "}}", "  ", "\n\n\n"):
            assert leftover not in shown, (leftover, shown)
        if channel is Channel.EMAIL:
            assert message.subject and message.html
            assert f'lang="{locale}"' in message.html
            assert ('dir="rtl"' in message.html) == (locale == "ar")
        if channel is Channel.PUSH:
            assert message.subject and "\n" not in message.text


# The keyword each locale's opt-out line names (its glossary.toml).
OPT_OUT_WORDS = {
    "zh-Hans": "TD",
    "tr": "RET",
    "es": "BAJA",
    "pt-BR": "SAIR",
    "ja": "停止",
    "ar": "إيقاف",
}


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
@pytest.mark.parametrize("milestone", list(Milestone))
def test_sms_stays_within_budget_with_the_opt_out_line(locale: str, milestone: Milestone) -> None:
    settings = get_messaging_settings()
    body = library_for(None).get(milestone_template_name(locale, Channel.SMS, milestone))
    for first_sms in (False, True):
        for message in _render(milestone, locale, Channel.SMS, first_sms_to_number=first_sms):
            assert message.segments == count_segments(message.text).segments
            budget = sms_budget(body, Encoding(message.encoding), settings, opt_out=first_sms)
            assert budget is None or message.segments <= budget, message.text
            assert (OPT_OUT_WORDS.get(locale, "STOP") in message.text) == first_sms


@pytest.mark.parametrize("locale", GSM7_LETTER_LOCALES)
@pytest.mark.parametrize("milestone", list(Milestone))
def test_latin_locales_fit_one_gsm7_segment_with_a_gsm7_name(
    locale: str, milestone: Milestone
) -> None:
    event = sample_event(milestone, locale)  # the first sample name fits GSM-7
    for first_sms in (False, True):
        message = render_message(event, Channel.SMS, first_sms_to_number=first_sms)
        assert (message.encoding, message.segments) == ("GSM-7", 1), message.text


@pytest.mark.parametrize("locale", sorted(UCS2_LOCALES))
def test_non_latin_locales_are_ucs2(locale: str) -> None:
    message = render_message(sample_event(Milestone.SHIPPED, locale), Channel.SMS)
    assert message.encoding == "UCS-2"
    assert message.segments is not None and message.segments <= 3


@pytest.mark.parametrize("locale", GSM7_LETTER_LOCALES)
def test_customer_name_is_never_mangled(locale: str) -> None:
    for name in SAMPLE_LOCALES[locale].names:
        event = sample_event(Milestone.SHIPPED, locale, name=name)
        message = render_message(event, Channel.SMS)
        first = event.customer.name.split()[0]
        assert first in message.text or first.replace("’", "'") in message.text


@pytest.mark.parametrize(
    ("requested", "used"),
    [
        ("pt-PT", "pt-BR"),
        ("pt", "pt-BR"),
        ("zh-CN", "zh-Hans"),
        ("zh", "zh-Hans"),
        ("de-AT", "de"),
        ("es-MX", "es"),
        ("fr-CA", "fr"),
        ("ar-EG", "ar"),
        ("ja-JP", "ja"),
        ("ko", "en"),
    ],
)
def test_fallback_chain_in_render(requested: str, used: str) -> None:
    event = sample_event(Milestone.SHIPPED, used if used != "en" else "en")
    customer = event.customer.model_copy(update={"locale": requested})
    assert (
        render_message(event.model_copy(update={"customer": customer}), Channel.PUSH).locale == used
    )


def test_formatting_follows_the_customer_locale_not_the_template_locale() -> None:
    event = sample_event(Milestone.SHIPPED, "en")
    british = event.customer.model_copy(update={"locale": "en-GB", "time_zone": "Europe/London"})
    message = render_message(event.model_copy(update={"customer": british}), Channel.PUSH)
    assert message.locale == "en"
    assert "Fri 14 Mar" in message.text  # en-GB order, not 'Fri, Mar 14'


def test_a_turkish_refund_keeps_its_letters_and_its_lira_sign() -> None:
    message = render_message(sample_event(Milestone.REFUND_PROCESSED, "tr"), Channel.SMS)
    assert message.encoding == "UCS-2"
    assert "₺1.234,56" in message.text and "ödeme iadesi" in message.text


@pytest.mark.parametrize("locale", OWN_LETTER_LOCALES)
@pytest.mark.parametrize("milestone", list(Milestone))
def test_latin_locales_with_letters_outside_gsm7_keep_them_within_their_ucs2_budget(
    locale: str, milestone: Milestone
) -> None:
    settings = get_messaging_settings()
    body = library_for(None).get(milestone_template_name(locale, Channel.SMS, milestone))
    event = sample_event(milestone, locale)
    for first_sms in (False, True):
        message = render_message(event, Channel.SMS, first_sms_to_number=first_sms)
        budget = sms_budget(body, Encoding(message.encoding), settings, opt_out=first_sms)
        assert message.segments is not None and budget is not None, message.text
        assert message.segments <= budget, message.text
        if message.encoding == "UCS-2":
            # UCS-2 only for the letters themselves, which are kept as written.
            assert any(c.isalpha() and not is_gsm7_character(c) for c in message.text)


def test_brazilian_dates_do_not_trip_the_content_linter() -> None:
    # 'sex.' abbreviates sexta-feira: data, not content.
    message = render_message(sample_event(Milestone.SHIPPED, "pt-BR"), Channel.PUSH)
    assert "sex." in message.text
