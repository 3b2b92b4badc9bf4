"""Compliance linter: what carriers filter and what a brand must never send.

Runs on every template when it is loaded (a failing one is refused, naming file, line
and rule) and on every generated text before it is sent. The content rules follow the
carriers' code of conduct: no lottery or prize bait, no medical claims, nothing from
the SHAFT categories (sex, hate, alcohol, firearms, tobacco and cannabis), no public
URL shorteners (carriers block them as a phishing signal), and the brand always named.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from jinja2 import Environment, TemplateError, TemplateSyntaxError, nodes

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


@dataclass(frozen=True)
class ContentRule:
    rule: str
    message: str
    pattern: re.Pattern[str]


def _rule(
    rule: str, message: str, words: Iterable[str], fragments: Iterable[str] = ()
) -> ContentRule:
    """``words`` match whole words (Latin, Greek, Cyrillic); ``fragments`` match anywhere
    (scripts written without spaces, or Arabic where prefixes join the word)."""
    alternatives = [rf"(?<!\w)(?:{'|'.join(words)})(?!\w)"]
    alternatives += [re.escape(fragment) for fragment in fragments]
    return ContentRule(rule, message, re.compile("|".join(alternatives), re.IGNORECASE))


CONTENT_RULES: tuple[ContentRule, ...] = (
    _rule(
        "prize-scam",
        "lottery or prize wording (carriers filter it as a scam)",
        [
            r"lotter(?:y|ies)",
            r"jackpot",
            r"sweepstakes?",
            r"you(?:'ve| have)? won",
            r"(?:claim|collect) your (?:prize|reward|gift|winnings)",
            r"free gift",
            r"cash prize",
            r"winners?",
            r"loter[ií]a",
            r"loterie",
            r"lotterie",
            r"lotteria",
            r"loterij",
            r"piyango",
            r"has ganado",
            r"vous avez gagn[ée]",
            r"sie haben gewonnen",
            r"hai vinto",
            r"voc[êe] ganhou",
            r"wygra(?:łeś|łaś|ł[ae]ś)",
            r"kazand[ıi]n[ıi]z",
        ],
        ["宝くじ", "当選", "中奖", "彩票", "يانصيب", "ربحت", "فزت بجائزة"],
    ),
    _rule(
        "medical-claim",
        "medical or health claim",
        [
            r"cures?",
            r"miracle",
            r"lose weight",
            r"weight loss",
            r"fda[- ]approved",
            r"clinically proven",
            r"viagra",
            r"cialis",
            r"no prescription",
            r"heilt",
            r"gu[ée]rit",
            r"cura (?:el|la|il)",
            r"emagrecer",
            r"adelgazar",
        ],
        ["痩せる", "治る", "减肥", "治愈", "علاج نهائي"],
    ),
    _rule(
        "shaft-sex",
        "sexual content (SHAFT)",
        [r"sex(?:y|ual)?", r"porn\w*", r"xxx", r"nude", r"escorts?", r"adult content"],
        ["アダルト", "色情", "إباحي"],
    ),
    _rule(
        "shaft-hate",
        "hate speech (SHAFT)",
        [r"white power", r"heil hitler", r"sieg heil", r"kill (?:all|every) \w+"],
    ),
    _rule(
        "shaft-alcohol",
        "alcohol (SHAFT)",
        [
            r"alcohol\w*",
            r"beers?",
            r"wines?",
            r"vodka",
            r"whiske?y",
            r"liquor",
            r"tequila",
            r"cerveza",
            r"bi[èe]re",
            r"bier",
            r"alkohol",
        ],
        ["酒類", "お酒", "白酒", "啤酒", "كحول", "خمر"],
    ),
    _rule(
        "shaft-firearms",
        "firearms (SHAFT)",
        [r"guns?", r"firearms?", r"handguns?", r"rifles?", r"pistols?", r"ammo", r"ammunition"],
        ["銃", "枪支", "أسلحة نارية"],
    ),
    _rule(
        "shaft-tobacco",
        "tobacco, vaping or cannabis (SHAFT)",
        [
            r"tobacco",
            r"cigarettes?",
            r"cigars?",
            r"vap(?:e|es|ing)",
            r"e-cig\w*",
            r"cannabis",
            r"marijuana",
            r"cbd",
            r"thc",
            r"tabac",
            r"tabak",
            r"tabaco",
            r"zigaretten?",
        ],
        ["タバコ", "烟草", "大麻", "تبغ", "سجائر"],
    ),
    _rule(
        "url-shortener",
        "public URL shortener (carriers block them; use the brand's own domain)",
        [
            r"(?:https?://)?(?:"
            + "|".join(
                re.escape(domain)
                for domain in (
                    "bit.ly",
                    "tinyurl.com",
                    "goo.gl",
                    "t.co",
                    "ow.ly",
                    "is.gd",
                    "v.gd",
                    "buff.ly",
                    "rebrand.ly",
                    "cutt.ly",
                    "shorturl.at",
                    "tiny.cc",
                    "tiny.one",
                    "rb.gy",
                    "bl.ink",
                    "t.ly",
                    "s.id",
                    "adf.ly",
                    "shorte.st",
                    "lnkd.in",
                    "tr.im",
                    "x.co",
                    "soo.gd",
                    "clck.ru",
                    "u.to",
                    "qr.net",
                )
            )
            + r")(?:/\S*)?"
        ],
    ),
)

MISSING_BRAND = "missing-brand"
UNDEFINED_VARIABLE = "undefined-variable"
SYNTAX = "syntax"

# Names a template may read besides the context: Jinja's own and the optional-part level.
_BUILTIN_NAMES = frozenset(
    {"loop", "caller", "self", "super", "varargs", "kwargs", DROP_LEVEL_VARIABLE}
)
_JINJA_CONSTRUCT = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


def content_violations(text: str) -> list[tuple[ContentRule, re.Match[str]]]:
    """Every content rule ``text`` breaks, with where."""
    found = []
    for rule in CONTENT_RULES:
        found += [(rule, match) for match in rule.pattern.finditer(text)]
    return found


def static_text(source: str) -> str:
    """The words a template author wrote: Jinja tags blanked, line numbers kept."""
    return _JINJA_CONSTRUCT.sub(lambda match: "\n" * match.group().count("\n"), source)


def lint_content(text: str, file: str, *, first_line: int = 1) -> list[LintIssue]:
    issues = []
    for rule, match in content_violations(text):
        line = first_line + text.count("\n", 0, match.start())
        issues.append(LintIssue(file, line, rule.rule, f"{rule.message}: {match.group()!r}"))
    return issues


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
