"""The locale fallback chain."""

from __future__ import annotations

import pytest

from domain.milestones import Milestone
from domain.timeline import Channel
from messaging.locales import candidate_chain, fallback_chain, parse_tag, text_direction
from messaging.render import render_message
from messaging.samples import sample_event

SHIPPED = {"en", "es", "fr", "de", "it", "pt-BR", "nl", "pl", "tr", "ja", "zh-Hans", "ar"}


@pytest.mark.parametrize(
    ("raw", "tag"),
    [("pt_br", "pt-BR"), ("zh-hans-cn", "zh-Hans-CN"), ("EN", "en"), ("es-419", "es-419")],
)
def test_tags_are_normalised(raw: str, tag: str) -> None:
    assert str(parse_tag(raw)) == tag


def test_pt_br_then_pt_then_default() -> None:
    assert candidate_chain("pt-BR") == ("pt-BR", "pt")
    assert fallback_chain("pt-BR", {"pt-BR", "pt", "en"}, "en") == ("pt-BR", "pt", "en")
    assert fallback_chain("pt-BR", {"pt", "en"}, "en") == ("pt", "en")


def test_regional_variant_falls_back_to_a_sibling_before_the_default() -> None:
    assert fallback_chain("pt-PT", SHIPPED, "en") == ("pt-BR", "en")


@pytest.mark.parametrize(
    ("raw", "first"), [("zh-CN", "zh-Hans"), ("zh", "zh-Hans"), ("zh_Hans_SG", "zh-Hans")]
)
def test_chinese_finds_simplified(raw: str, first: str) -> None:
    assert fallback_chain(raw, SHIPPED, "en")[0] == first


def test_traditional_chinese_prefers_a_traditional_locale_when_there_is_one() -> None:
    assert fallback_chain("zh-TW", SHIPPED | {"zh-Hant"}, "en")[0] == "zh-Hant"


@pytest.mark.parametrize("raw", ["xx", "", "123", "klingon"])
def test_unknown_locales_end_at_the_default(raw: str) -> None:
    assert fallback_chain(raw, SHIPPED, "en") == ("en",)


def test_region_specific_tag_uses_the_language() -> None:
    assert fallback_chain("de-AT", SHIPPED, "en") == ("de", "en")
    assert fallback_chain("es-MX", SHIPPED, "en")[0] == "es"


def test_arabic_is_right_to_left() -> None:
    assert text_direction("ar") == "rtl"
    assert text_direction("fr") == "ltr"


def test_render_reports_the_locale_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HERALD_DEFAULT_LOCALE", "en")
    event = sample_event(Milestone.SHIPPED)
    customer = event.customer.model_copy(update={"locale": "en-AU"})
    message = render_message(event.model_copy(update={"customer": customer}), Channel.SMS)
    assert message.locale == "en"
