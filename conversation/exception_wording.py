"""Optional language-model wording for delivery-exception SMS, behind guard rails.

Only the order's facts go into the prompt (milestone, problem, carrier, tracking id,
estimated arrival, brand, first name, locale): never a phone number, an e-mail or an
address, and not the OMS's free-text note either, which may hold one. The answer must
pass what templates pass (the compliance linter, GSM-7 or UCS-2 within the segment
budget) plus checks of its own; otherwise, or on any failure or timeout, the result is
None and the caller sends the fixed template.
"""

from __future__ import annotations

import json
import logging
import re

from pydantic import BaseModel, ConfigDict

from domain.events import PROBLEM_MILESTONES, DeliveryProblem, MilestoneEvent
from domain.milestones import Milestone
from messaging.brand import Brand
from messaging.context import first_name
from messaging.formatting import Formatter
from messaging.linter import lint_text
from messaging.locales import parse_tag
from messaging.segments import count_segments
from messaging.smart_encoding import smart_encode
from providers.language_model import ChatCompletions, LanguageModelError

log = logging.getLogger(__name__)

EXCEPTION_MILESTONES: frozenset[Milestone] = frozenset(PROBLEM_MILESTONES)


ExceptionProblem = DeliveryProblem  # the closed list the model may be told


class ExceptionFacts(BaseModel):
    """Everything the model may know. Adding a field here is a privacy decision."""

    model_config = ConfigDict(frozen=True)

    brand: str
    customer_first_name: str
    locale: str
    milestone: Milestone
    problem: ExceptionProblem
    reference: str
    carrier: str | None = None
    tracking_id: str | None = None
    estimated_arrival: str | None = None  # already formatted in the customer's locale


def facts_from_event(
    event: MilestoneEvent, brand: Brand, problem: ExceptionProblem | None = None
) -> ExceptionFacts:
    shipment = event.shipment
    arrival = shipment.estimated_arrival if shipment else None
    formatter = Formatter.for_customer(event.customer.locale, event.customer.time_zone)
    return ExceptionFacts(
        brand=brand.name,
        customer_first_name=first_name(event.customer.name),
        locale=event.customer.locale,
        milestone=event.milestone,
        problem=problem or event.problem or _problem_of(event.milestone),
        reference=event.reference,
        carrier=shipment.carrier if shipment else None,
        tracking_id=shipment.tracking_id if shipment else None,
        estimated_arrival=(
            formatter.arrival_window(arrival, shipment.estimated_arrival_end, short=True)
            if shipment and arrival
            else None
        ),
    )


def _problem_of(milestone: Milestone) -> ExceptionProblem:
    if milestone is Milestone.DELIVERY_ATTEMPTED:
        return ExceptionProblem.DELIVERY_ATTEMPTED
    return ExceptionProblem.DELAYED


_SYSTEM_PROMPT = (
    "You write one SMS for an online shop about a delivery problem. Write in the language "
    "of the locale given. Name the shop exactly as given, greet the customer by first name, "
    "say plainly what happened and what happens next, be calm and brief. Use only the facts "
    "given; never invent dates, links, phone numbers, prices or promises. No emoji, no "
    "links, no marketing. At most {max_characters} characters. Answer with the SMS text only."
)


def build_prompt(facts: ExceptionFacts, *, max_characters: int) -> list[dict[str, str]]:
    known = facts.model_dump(mode="json", exclude_none=True)
    return [
        {"role": "system", "content": _SYSTEM_PROMPT.format(max_characters=max_characters)},
        {"role": "user", "content": json.dumps(known, ensure_ascii=False)},
    ]


_UCS2_LANGUAGES = frozenset({"ja", "zh", "ar"})  # their scripts cannot fold into GSM-7


def character_target(max_segments: int, locale: str) -> int:
    """A length the model can aim for; the segment count is what is enforced."""
    text_is_gsm7 = parse_tag(locale).language not in _UCS2_LANGUAGES
    return (153 if max_segments > 1 else 160) * max_segments if text_is_gsm7 else 67 * max_segments


# What a model may invent and a template never says: links and phone-number-like digits.
_LINK = re.compile(r"https?://|www\.|\b[\w-]+\.(?:com|net|org|ly|io|co|me|info|biz)\b", re.I)
_LONG_DIGITS = re.compile(r"\+?\d[\d ()-]{6,}\d")


def validate_wording(
    text: str, facts: ExceptionFacts, *, max_segments: int, fold_accents: bool = False
) -> str | None:
    """The SMS to send, smart-encoded like templates, or None when it breaks a rule."""
    text = " ".join(text.strip().strip('"').split())
    problems = _refusals(text, facts, max_segments, fold_accents)
    if problems:
        log.info("language-model wording refused: %s", "; ".join(problems))
        return None
    return smart_encode(
        text, protected=(facts.customer_first_name,), fold_accents=fold_accents
    ).text


def _refusals(text: str, facts: ExceptionFacts, max_segments: int, fold_accents: bool) -> list[str]:
    if not text:
        return ["empty"]
    data = [v for v in (facts.customer_first_name, facts.carrier, facts.tracking_id) if v]
    data += [facts.reference, facts.estimated_arrival or ""]
    refusals = [str(issue) for issue in lint_text(text, brand_name=facts.brand, ignore=data)]
    masked = text
    for value in data:
        masked = masked.replace(value, "") if value else masked
    if _LINK.search(masked):
        refusals.append("a link")
    if _LONG_DIGITS.search(masked):
        refusals.append("a phone-number-like run of digits")
    encoded = smart_encode(text, protected=(facts.customer_first_name,), fold_accents=fold_accents)
    segments = count_segments(encoded.text).segments
    if segments > max_segments:
        refusals.append(f"{segments} segments, budget {max_segments}")
    return refusals


async def word_exception(
    facts: ExceptionFacts,
    model: ChatCompletions | None,
    *,
    max_segments: int = 2,
    fold_accents: bool = False,
) -> str | None:
    """The model's SMS for ``facts``, or None: off, failed, timed out or refused."""
    if model is None:
        return None
    try:
        answer = await model.complete(
            build_prompt(facts, max_characters=character_target(max_segments, facts.locale))
        )
    except LanguageModelError as error:
        log.info("language-model wording unavailable: %s", error)
        return None
    return validate_wording(answer, facts, max_segments=max_segments, fold_accents=fold_accents)
