"""Render one milestone for one channel: the core workflow's render step.

Pure apart from reading template files once: the template library is built and compiled
on first use and cached; every later call is formatting and string work, thread-safe.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pydantic
from jinja2 import TemplateError

from config.messaging import MessagingSettings, get_messaging_settings
from domain.events import MilestoneEvent
from domain.phone import region_of
from domain.timeline import Channel
from messaging.bidi import lay_out
from messaging.brand import Brand, default_brand
from messaging.context import build_context
from messaging.linter import lint_content, lint_text
from messaging.locales import fallback_chain
from messaging.optional_parts import DROP_LEVEL_VARIABLE
from messaging.pricing import estimate_cost
from messaging.segments import Encoding, SegmentCount, count_segments
from messaging.smart_encoding import SmartEncoded, fold_to_gsm7, smart_encode
from messaging.templates import (
    CompiledTemplate,
    TemplateLibrary,
    library_for,
    milestone_template_name,
)

log = logging.getLogger(__name__)

OPT_OUT_PARTIAL = "_opt_out.txt"
EMAIL_LAYOUT = "_layout.html"


class RenderedMessage(pydantic.BaseModel):
    channel: Channel
    locale: str  # the locale actually used after fallback
    subject: str | None = None  # e-mail subject / push title
    text: str  # SMS body, e-mail plain text, push body
    html: str | None = None  # e-mail only
    encoding: str | None = None  # SMS only: "GSM-7" or "UCS-2"
    segments: int | None = None  # SMS only
    estimated_cost_usd: Decimal | None = None  # SMS only, from the destination country's price
    # The OMS's free text the content filter flagged, left out: "detail: [shaft-alcohol] 'beer'"
    withheld: list[str] = pydantic.Field(default_factory=list)


class RenderError(Exception):
    """Template missing, broken or refused by the linter: retrying cannot help."""


def render_message(
    event: MilestoneEvent,
    channel: Channel,
    *,
    first_sms_to_number: bool = False,
    brand: Brand | None = None,
) -> RenderedMessage:
    """The message for ``event`` on ``channel``, in the customer's language.

    Raises :class:`RenderError` when no template exists for the milestone and channel,
    when one is broken, or when the generated text fails the compliance linter.
    """
    return _render(event, channel, first_sms_to_number, brand)[0]


def render_sms_explained(
    event: MilestoneEvent, *, first_sms_to_number: bool = False, brand: Brand | None = None
) -> tuple[RenderedMessage, SmartEncoded]:
    """The SMS and what smart encoding did to it (for statistics and previews)."""
    message, encoded = _render(event, Channel.SMS, first_sms_to_number, brand)
    if encoded is None:  # unreachable: the SMS path always encodes
        raise RenderError("SMS rendered without encoding")
    return message, encoded


def _render(
    event: MilestoneEvent, channel: Channel, first_sms_to_number: bool, brand: Brand | None
) -> tuple[RenderedMessage, SmartEncoded | None]:
    settings = get_messaging_settings()
    brand = brand or default_brand()
    library = library_for(event.merchant, settings)
    chain = fallback_chain(event.customer.locale, library.locales, settings.default_locale)
    locale = library.first_locale_with(chain, channel, event.milestone)
    if locale is None:
        raise RenderError(f"no {channel.value} template for {event.milestone.value!r} in {chain}")
    encoded = None
    try:
        context = build_context(event, brand, locale, settings.default_locale)
        context, withheld = withhold_flagged_data(context)
        if channel is Channel.SMS:
            message, encoded = _render_sms(
                event, library, locale, context, settings, first_sms_to_number
            )
        elif channel is Channel.EMAIL:
            message = _render_email(event, library, locale, context)
        else:
            message = _render_push(event, library, locale, context)
    except TemplateError as error:
        raise RenderError(f"{channel.value} {event.milestone.value} ({locale}): {error}") from error
    _refuse_noncompliant(message, brand, context)
    if withheld:
        log.warning("%s %s: withheld %s", event.milestone.value, channel.value, withheld)
        message = message.model_copy(update={"withheld": withheld})
    return message, encoded


# The OMS's free text: a carrier's name or a note may say anything ("Wine Country Express",
# "contains a glue gun"). When the content filter flags one, it is left out of every
# channel, as an optional part would be, and recorded: the OMS's data never stops a
# notification, and never sends what a carrier would block.
OMS_FREE_TEXT = ("detail", "carrier")


def withhold_flagged_data(context: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``context`` without the OMS free text the content filter flags, and what was left out."""
    withheld: list[str] = []
    kept = dict(context)
    for key in OMS_FREE_TEXT:
        value = context.get(key)
        if not value:
            continue
        issues = lint_content(str(value), key)
        if issues:
            kept[key] = None
            withheld += [f"{key}: [{issue.rule}] {issue.message}" for issue in issues]
    return kept, withheld


def _render_sms(
    event: MilestoneEvent,
    library: TemplateLibrary,
    locale: str,
    context: dict[str, Any],
    settings: MessagingSettings,
    first_sms_to_number: bool,
) -> tuple[RenderedMessage, SmartEncoded]:
    body = library.get(milestone_template_name(locale, Channel.SMS, event.milestone))
    opt_out = _opt_out_line(library, locale, context) if first_sms_to_number else None
    encoded, count = fit_sms(body, context, settings, opt_out=opt_out)
    message = RenderedMessage(
        channel=Channel.SMS,
        locale=locale,
        text=encoded.text,
        encoding=count.encoding.value,
        segments=count.segments,
        estimated_cost_usd=estimate_cost(
            count.segments, region_of(event.customer.phone or ""), settings
        ),
    )
    return message, encoded


def sms_from_text(text: str, *, phone: str, locale: str) -> RenderedMessage:
    """An SMS written outside the templates (a conversation reply, a model's wording), with
    the encoding, segments and cost every SMS records. The text is sent as given, composed
    (NFC): a decomposed accent would cost a UCS-2 unit of its own."""
    text = unicodedata.normalize("NFC", text)
    count = count_segments(text)
    return RenderedMessage(
        channel=Channel.SMS,
        locale=locale,
        text=text,
        encoding=count.encoding.value,
        segments=count.segments,
        estimated_cost_usd=estimate_cost(count.segments, region_of(phone)),
    )


def fit_sms(
    body: CompiledTemplate,
    context: dict[str, Any],
    settings: MessagingSettings,
    *,
    opt_out: str | None = None,
) -> tuple[SmartEncoded, SegmentCount]:
    """Render, smart-encode and count; drop optional parts, lowest priority first, until
    the message fits its budget (or nothing is left to drop: it goes out longer, whole)."""
    protected = people_and_oms_data(context)
    direction = context.get("text_direction", "ltr")

    def attempt(drop_level: int) -> tuple[SmartEncoded, SegmentCount]:
        text = sms_text(body.render({**context, DROP_LEVEL_VARIABLE: drop_level}))
        if opt_out:
            text = f"{text}\n{opt_out}"
        encoded = smart_encode(text, protected=protected, fold_accents=settings.sms_fold_accents)
        if direction == "rtl":
            encoded = replace(encoded, text=lay_out(encoded.text, direction))
        return encoded, count_segments(encoded.text)

    shortest_segments: int | None = None
    for drop_level in range(body.max_optional_priority + 1):
        encoded, count = attempt(drop_level)
        budget = sms_budget(body, count.encoding, settings)
        if budget is None:  # automatic: no more segments than the required text needs
            if shortest_segments is None:
                shortest_segments = attempt(body.max_optional_priority)[1].segments
            budget = shortest_segments
        if count.segments <= budget:
            break
    return encoded, count


def people_and_oms_data(context: dict[str, Any]) -> list[str]:
    """Values whose letters reach the phone exactly as typed: names and the OMS's data."""
    customer = context["customer"]
    values = [customer["name"], customer["first_name"]]
    values += [context.get(key) for key in ("reference", "tracking_id", *OMS_FREE_TEXT)]
    return [str(value) for value in values if value]


def sms_budget(
    body: CompiledTemplate,
    encoding: Encoding,
    settings: MessagingSettings,
    *,
    opt_out: bool = False,
) -> int | None:
    """The template's segment budget for ``encoding``; None means automatic. With
    ``opt_out`` (checking a first SMS), UCS-2 allows one segment more: the renderer still
    drops parts to fit the budget, but the mandatory opt-out line may overflow it."""
    if encoding is Encoding.GSM7:
        return body.budget("budget", settings.sms_segment_budget)
    budget = body.budget("budget_ucs2", settings.sms_ucs2_segment_budget)
    return budget + 1 if budget is not None and opt_out else budget


_SPACE_RUN = re.compile(r"[ \t]{2,}")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def sms_text(rendered: str) -> str:
    """One tidy message: dropped parts leave no double spaces or empty lines behind."""
    text = _SPACE_RUN.sub(" ", rendered)
    text = "\n".join(line.strip() for line in text.strip().split("\n"))
    return _BLANK_LINES.sub("\n", text)


def _opt_out_line(library: TemplateLibrary, locale: str, context: dict[str, Any]) -> str:
    name = f"{locale}/{Channel.SMS.value}/{OPT_OUT_PARTIAL}"
    if not library.has(name):
        raise RenderError(
            f"{locale} has no {OPT_OUT_PARTIAL}: the first SMS must say how to opt out"
        )
    return sms_text(library.get(name).render({**context, DROP_LEVEL_VARIABLE: 0}))


def plain_text(rendered: str) -> str:
    """Paragraphs separated by one blank line, no trailing spaces."""
    lines = [line.rstrip() for line in rendered.strip().split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines))


def _render_email(
    event: MilestoneEvent, library: TemplateLibrary, locale: str, context: dict[str, Any]
) -> RenderedMessage:
    text_template = library.get(milestone_template_name(locale, Channel.EMAIL, event.milestone))
    full = {**context, DROP_LEVEL_VARIABLE: 0}
    subject = text_template.render_header(full)
    text = plain_text(text_template.render(full))
    html_name = milestone_template_name(locale, Channel.EMAIL, event.milestone, "html")
    if not library.has(html_name):
        html_name = f"{locale}/{Channel.EMAIL.value}/{EMAIL_LAYOUT}"
    html = None
    if library.has(html_name):
        paragraphs = text.split("\n\n")
        html = library.get(html_name).render({**full, "subject": subject, "paragraphs": paragraphs})
    return RenderedMessage(
        channel=Channel.EMAIL, locale=locale, subject=subject, text=text, html=html
    )


def _render_push(
    event: MilestoneEvent, library: TemplateLibrary, locale: str, context: dict[str, Any]
) -> RenderedMessage:
    template = library.get(milestone_template_name(locale, Channel.PUSH, event.milestone))
    full = {**context, DROP_LEVEL_VARIABLE: 0}
    text = lay_out(one_line(template.render(full)), context.get("text_direction", "ltr"))
    return RenderedMessage(
        channel=Channel.PUSH, locale=locale, subject=template.render_header(full), text=text
    )


_LINE_BREAKS = re.compile(r"[ \t]*[\r\n]+[ \t]*|[ \t]{2,}")


def one_line(rendered: str) -> str:
    """A push body or a header on one line; babel's own spaces (nbsp, thin) are kept."""
    return _LINE_BREAKS.sub(" ", rendered).strip()


def _refuse_noncompliant(message: RenderedMessage, brand: Brand, context: dict[str, Any]) -> None:
    """Generated text is linted like templates: data can carry what a template cannot."""
    shown = "\n".join(part for part in (message.subject, message.text) if part)
    issues = lint_text(shown, brand_name=brand.name, ignore=data_values(context))
    if message.channel is Channel.SMS and issues:
        # SMS text may have been smart-encoded: look for the brand in its folded form too.
        issues = [
            i
            for i in issues
            if not (i.rule == "missing-brand" and _folded_brand_in(message, brand))
        ]
    if issues:
        raise RenderError("; ".join(str(issue) for issue in issues))


# Values people typed or babel formatted: not content a template author wrote. A customer
# named Beer, or "sex." (sexta-feira) in a Brazilian date, must not block a notification.
_DATA_KEYS = (
    "reference",
    "carrier",
    "tracking_id",
    "tracking_link",
    "arrival",
    "arrival_short",
    "refund_amount",
    "occurred_on",
    "occurred_at_time",
)


def data_values(context: dict[str, Any]) -> list[str]:
    customer = context["customer"]
    values = [customer["name"], customer["first_name"], *(context[key] for key in _DATA_KEYS)]
    present = [value for value in values if value]
    return present + [fold_to_gsm7(value) for value in present]  # as SMS smart encoding sent them


def _folded_brand_in(message: RenderedMessage, brand: Brand) -> bool:
    return smart_encode(brand.name).text in message.text
