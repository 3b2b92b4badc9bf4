"""Check every template of a library: what ``herald templates lint`` runs.

Loading catches syntax, unknown variables, content rules and front matter (with file and
line); rendering every milestone on every channel with the realistic sample data (and
every delivery problem a delay, an attempt or an exception can carry) catches
what only data reveals (attributes that do not exist, values printed without a guard,
generated text the linter refuses) and SMS that overrun their segment budget.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterator
from dataclasses import dataclass

from jinja2 import TemplateError, TemplateSyntaxError

from config.messaging import MessagingSettings, get_messaging_settings
from domain.events import PROBLEM_MILESTONES, Customer, DeliveryProblem, MilestoneEvent
from domain.milestones import Milestone
from domain.timeline import Channel
from messaging.brand import Brand, default_brand
from messaging.linter import SYNTAX, LintIssue, TemplateLintError
from messaging.render import OPT_OUT_PARTIAL, RenderError, render_message, sms_budget
from messaging.samples import SAMPLE_LOCALES, sample_event
from messaging.segments import Encoding
from messaging.templates import (
    TemplateLibrary,
    is_partial,
    library_for,
    milestone_template_name,
    template_source,
)
from policy.keywords import KeywordIntent, classify_reply

SEGMENT_BUDGET = "segment-budget"
MISSING_TEMPLATE = "missing-template"
RENDER = "render"
OPT_OUT = "opt-out"
# Words a text asks the customer to send: "STOP", "回复TD退订", "「停止」", "«إيقاف»".
_SUGGESTED_WORD = re.compile(r"「(.+?)」|“(.+?)”|«(.+?)»|([A-ZÀ-ÖØ-ÞĞİŞ]{1,}(?: [A-Z]{2,})*)")


def names_an_opt_out_keyword(text: str, locale: str) -> bool:
    """Whether ``text`` asks for a reply that Herald takes as an opt-out from ``locale``."""
    for match in _SUGGESTED_WORD.finditer(text):
        word = next(group for group in match.groups() if group)
        found = classify_reply(word, locale)
        if found is not None and found.intent is KeywordIntent.OPT_OUT and not found.sentence:
            return True
    return False


@dataclass(frozen=True)
class Problem:
    where: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: [{self.rule}] {self.message}"


@dataclass(frozen=True)
class CheckReport:
    merchant: str | None
    templates: int
    locales: tuple[str, ...]
    renders: int
    problems: tuple[Problem, ...]


def check_library(
    merchant: str | None = None,
    brand: Brand | None = None,
    settings: MessagingSettings | None = None,
) -> CheckReport:
    settings = settings or get_messaging_settings()
    brand = brand or default_brand()
    library = library_for(merchant, settings)
    problems = list(_load_problems(library))
    if merchant is None:
        problems += _missing_templates(library)
    renders = 0
    for event, label in _sample_events(library, merchant):
        for channel in Channel:
            renders += 1
            problems += _render_problems(library, event, channel, brand, settings, label)
    return CheckReport(
        merchant=merchant,
        templates=len(library.names),
        locales=tuple(sorted(library.locales)),
        renders=renders,
        problems=tuple(dict.fromkeys(problems)),
    )


def _load_problems(library: TemplateLibrary) -> Iterator[Problem]:
    for name in sorted(library.names):
        try:
            if is_partial(name):
                library.environment.get_template(name)
            else:
                library.get(name)
        except TemplateLintError as error:
            yield from (_from_issue(issue) for issue in error.issues)
        except TemplateSyntaxError as error:
            yield Problem(f"{error.filename or name}:{error.lineno}", SYNTAX, error.message or "")
        except TemplateError as error:
            yield Problem(name, RENDER, str(error))


def _from_issue(issue: LintIssue) -> Problem:
    return Problem(f"{issue.file}:{issue.line}", issue.rule, issue.message)


def _missing_templates(library: TemplateLibrary) -> Iterator[Problem]:
    for locale in sorted(library.locales):
        for channel in Channel:
            for milestone in Milestone:
                name = milestone_template_name(locale, channel, milestone)
                if not library.has(name):
                    yield Problem(name, MISSING_TEMPLATE, "every locale ships every milestone")
        opt_out = f"{locale}/sms/{OPT_OUT_PARTIAL}"
        if not library.has(opt_out):
            yield Problem(opt_out, MISSING_TEMPLATE, "opt-out wording")
        elif not names_an_opt_out_keyword(template_source(library, opt_out), locale):
            yield Problem(opt_out, OPT_OUT, "must name a keyword that opts out (STOP...)")


def _sample_events(
    library: TemplateLibrary, merchant: str | None
) -> Iterator[tuple[MilestoneEvent, str]]:
    """Every milestone for every locale, with each sample name, complete and sparse, and
    each delivery problem (or none) where the milestone takes one."""
    for locale in sorted(library.locales):
        sample = SAMPLE_LOCALES.get(locale, SAMPLE_LOCALES["en"])
        for milestone in Milestone:
            for problem in problems_of(milestone):
                for name in sample.names:
                    for complete in (True, False):
                        event = sample_event(
                            milestone,
                            sample.locale,
                            name=name,
                            complete=complete,
                            merchant=merchant,
                            problem=problem,
                        )
                        customer = Customer.model_validate(
                            {**event.customer.model_dump(), "locale": locale}
                        )
                        data = "complete" if complete else "sparse"
                        what = f"{milestone.value}/{problem.value}" if problem else milestone.value
                        label = f"{locale} {what} ({name}, {data})"
                        yield event.model_copy(update={"customer": customer}), label


def problems_of(milestone: Milestone) -> tuple[DeliveryProblem | None, ...]:
    """No problem, then each one, for the milestones that may carry one; else just None."""
    return (None, *DeliveryProblem) if milestone in PROBLEM_MILESTONES else (None,)


def _render_problems(
    library: TemplateLibrary,
    event: MilestoneEvent,
    channel: Channel,
    brand: Brand,
    settings: MessagingSettings,
    label: str,
) -> list[Problem]:
    first_sms_options = (False, True) if channel is Channel.SMS else (False,)
    problems = []
    for first_sms in first_sms_options:
        try:
            message = render_message(event, channel, first_sms_to_number=first_sms, brand=brand)
        except RenderError as error:
            cause = error.__cause__
            where = _template_position(cause) if cause else None
            return [Problem(where or f"{channel.value} {label}", RENDER, str(error))]
        if channel is Channel.SMS and message.segments is not None:
            name = milestone_template_name(message.locale, channel, event.milestone)
            budget = sms_budget(
                library.get(name), Encoding(message.encoding), settings, opt_out=first_sms
            )
            if budget is not None and message.segments > budget:
                opt_out = " with opt-out" if first_sms else ""
                problems.append(
                    Problem(
                        f"{library.get(name).filename}:1",
                        SEGMENT_BUDGET,
                        f"{label}{opt_out}: {message.segments} {message.encoding} segments, "
                        f"budget {budget}: {message.text!r}",
                    )
                )
    return problems


def _template_position(error: BaseException) -> str | None:
    """'file:line' of the template frame an error was raised from (Jinja keeps it)."""
    if isinstance(error, TemplateSyntaxError) and error.filename:
        return f"{error.filename}:{error.lineno}"
    for frame, line in reversed(list(traceback.walk_tb(error.__traceback__))):
        filename = frame.f_code.co_filename
        if filename.endswith((".txt", ".html")):
            return f"{filename}:{line}"
    return None
