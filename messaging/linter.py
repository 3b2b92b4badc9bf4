"""Compliance linter: what carriers filter and what a brand must never send.

Runs on every template when it is loaded (a failing one is refused, naming file, line
and rule) and on every generated text before it is sent. The content rules
(:mod:`messaging.content_rules`, applied by :mod:`messaging.content_filter`) follow the
carriers' code of conduct: no lottery or prize bait, phishing or fake fees, loans,
crypto offers or medical claims, nothing from the SHAFT categories (sex, hate, alcohol,
firearms, tobacco and cannabis), no public URL shorteners, and the brand always named.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from jinja2 import Environment, TemplateError, TemplateSyntaxError, nodes

from messaging.content_filter import Finding, findings
from messaging.content_rules import ContentRule
from messaging.context import HTML_VARIABLES, TEMPLATE_VARIABLES
from messaging.optional_parts import DROP_LEVEL_VARIABLE


@dataclass(frozen=True)
class LintIssue:
    file: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: [{self.rule}] {self.message}"


class TemplateLintError(TemplateError):
    """A template broke a linter rule: it is refused, never rendered."""

    def __init__(self, issues: list[LintIssue]) -> None:
        self.issues = issues
        super().__init__("; ".join(str(issue) for issue in issues))


MISSING_BRAND = "missing-brand"
UNDEFINED_VARIABLE = "undefined-variable"
SYNTAX = "syntax"

# Names a template may read besides the context: Jinja's own and the optional-part level.
_BUILTIN_NAMES = frozenset(
    {"loop", "caller", "self", "super", "varargs", "kwargs", DROP_LEVEL_VARIABLE}
)
_JINJA_CONSTRUCT = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


def content_violations(text: str) -> list[tuple[ContentRule, Finding]]:
    """Every content rule ``text`` breaks, with where (see :mod:`messaging.content_filter`)."""
    return [(finding.rule, finding) for finding in findings(text)]


def static_text(source: str) -> str:
    """The words a template author wrote: Jinja tags blanked, line numbers kept."""
    return _JINJA_CONSTRUCT.sub(lambda match: "\n" * match.group().count("\n"), source)


def lint_content(text: str, file: str, *, first_line: int = 1) -> list[LintIssue]:
    return [
        LintIssue(file, first_line + f.line, f.rule.rule, f"{f.rule.message}: {f.found!r}")
        for f in findings(text)
    ]


def lint_text(
    text: str, *, brand_name: str, ignore: Iterable[str] = (), file: str = "<generated>"
) -> list[LintIssue]:
    """Lint a message about to be sent. ``ignore`` masks data people typed (a customer's
    name is not content: 'Anna Beer' must still hear about her parcel)."""
    masked = text
    for value in sorted({v for v in ignore if v}, key=len, reverse=True):
        masked = masked.replace(value, " " * len(value))
    issues = lint_content(masked, file)
    if brand_name not in text:
        issues.append(
            LintIssue(file, 1, MISSING_BRAND, f"the brand name {brand_name!r} is missing")
        )
    return issues


def lint_template_source(
    source: str, file: str, environment: Environment, *, requires_brand: bool
) -> list[LintIssue]:
    """Syntax, unknown variables, content rules and brand identification of one template file.

    ``source`` is the whole file, front matter included, so line numbers are the file's.
    """
    try:
        tree = environment.parse(source, filename=file)
    except TemplateSyntaxError as error:
        return [LintIssue(file, error.lineno, SYNTAX, error.message or "syntax error")]
    issues = lint_content(static_text(source), file)
    known = TEMPLATE_VARIABLES | (HTML_VARIABLES if file.endswith(".html") else frozenset())
    issues += _undefined_variables(tree, file, environment, known)
    if requires_brand and "brand.name" not in source:
        issues.append(
            LintIssue(file, 1, MISSING_BRAND, "the template never shows {{ brand.name }}")
        )
    return sorted(issues, key=lambda issue: issue.line)


def _undefined_variables(
    tree: nodes.Template, file: str, environment: Environment, context_names: frozenset[str]
) -> list[LintIssue]:
    assigned = {node.name for node in tree.find_all(nodes.Name) if node.ctx in ("store", "param")}
    known = context_names | assigned | _BUILTIN_NAMES | set(environment.globals)
    return [
        LintIssue(file, node.lineno, UNDEFINED_VARIABLE, f"unknown variable {node.name!r}")
        for node in tree.find_all(nodes.Name)
        if node.ctx == "load" and node.name not in known
    ]
