"""Template files: a sandboxed Jinja2 library per merchant, compiled once, then cached.

Layout: ``<locale>/<channel>/<milestone>.txt`` (and ``email/<milestone>.html`` or the
locale's ``email/_layout.html``); names starting with ``_`` are partials. A file may
open with front matter between two ``---`` lines: ``subject`` (e-mail), ``title`` (push),
``budget`` and ``budget_ucs2`` (SMS segments). A merchant's directory is searched before
the built-in one, file by file, so a merchant overrides exactly what they change.
"""

from __future__ import annotations

import posixpath
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, StrictUndefined, Template, TemplateNotFound, select_autoescape
from jinja2.exceptions import UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from config.messaging import MessagingSettings, get_messaging_settings
from domain.milestones import Milestone
from domain.timeline import Channel
from messaging.linter import LintIssue, TemplateLintError, lint_template_source
from messaging.optional_parts import OptionalPartExtension

BUILTIN_TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_SUFFIXES = (".txt", ".html")
FRONT_MATTER = "front-matter"

_FRONT_MATTER_KEYS: dict[str, frozenset[str]] = {
    Channel.SMS: frozenset({"budget", "budget_ucs2"}),
    Channel.EMAIL: frozenset({"subject"}),
    Channel.PUSH: frozenset({"title"}),
}
_REQUIRED_KEYS: dict[str, frozenset[str]] = {
    Channel.EMAIL: frozenset({"subject"}),
    Channel.PUSH: frozenset({"title"}),
}
_HEADER_KEYS = ("subject", "title")
_OPTIONAL_PRIORITY = re.compile(r"\{%-?\s*optional\s*(\d*)")
_MERCHANT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class FrontMatter:
    values: dict[str, str]
    lines: dict[str, int]  # where each key is, for error messages


@dataclass(frozen=True)
class CompiledTemplate:
    name: str  # "<locale>/<channel>/<file>"
    filename: str
    template: Template
    header: Template | None  # the e-mail subject or the push title
    front_matter: FrontMatter
    max_optional_priority: int  # 0: nothing can be dropped

    def render(self, context: dict[str, Any]) -> str:
        return self.template.render(context)

    def render_header(self, context: dict[str, Any]) -> str | None:
        return None if self.header is None else _one_line(self.header.render(context))

    def budget(self, key: str, default: int | None) -> int | None:
        value = self.front_matter.values.get(key)
        return default if value is None else int(value)


def _one_line(rendered: str) -> str:
    return re.sub(r"[ \t]*[\r\n]+[ \t]*|[ \t]{2,}", " ", rendered).strip()


def channel_of(name: str) -> str:
    parts = name.split("/")
    return parts[1] if len(parts) == 3 else ""


def is_partial(name: str) -> bool:
    return posixpath.basename(name).startswith("_")


def milestone_template_name(
    locale: str, channel: Channel, milestone: Milestone | str, ext: str = "txt"
) -> str:
    return f"{locale}/{channel.value}/{Milestone(milestone).value}.{ext}"


def split_front_matter(source: str, file: str) -> tuple[FrontMatter, str, list[LintIssue]]:
    """Front matter, the Jinja source with it turned into a comment (line numbers kept),
    and what is wrong with it."""
    lines = source.split("\n")
    if not lines or lines[0].strip() != "---":
        return FrontMatter({}, {}), source, []
    try:
        closing = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        return FrontMatter({}, {}), source, [LintIssue(file, 1, FRONT_MATTER, "no closing ---")]
    values, where, issues = {}, {}, []
    for index in range(1, closing):
        key, sep, value = lines[index].partition(":")
        if not lines[index].strip():
            continue
        if not sep or "#}" in value:
            issues.append(LintIssue(file, index + 1, FRONT_MATTER, "expected 'key: value'"))
            continue
        values[key.strip()] = value.strip()
        where[key.strip()] = index + 1
    jinja_source = "\n".join(["{#", *lines[1:closing], "#}", *lines[closing + 1 :]])
    return FrontMatter(values, where), jinja_source, issues


def check_front_matter(name: str, file: str, front_matter: FrontMatter) -> list[LintIssue]:
    channel = channel_of(name)
    if is_partial(name) or name.endswith(".html"):
        allowed, required = frozenset(), frozenset()
    else:
        allowed = _FRONT_MATTER_KEYS.get(channel, frozenset())
        required = _REQUIRED_KEYS.get(channel, frozenset())
    issues = [
        LintIssue(file, front_matter.lines[key], FRONT_MATTER, f"unknown key {key!r} for {channel}")
        for key in front_matter.values
        if key not in allowed
    ]
    issues += [
        LintIssue(file, 1, FRONT_MATTER, f"missing {key!r}")
        for key in sorted(required - front_matter.values.keys())
    ]
    for key in ("budget", "budget_ucs2"):
        value = front_matter.values.get(key)
        if value is not None and not (value.isdigit() and 1 <= int(value) <= 10):
            issues.append(
                LintIssue(file, front_matter.lines[key], FRONT_MATTER, f"{key} must be 1 to 10")
            )
    return issues


def requires_brand(name: str) -> bool:
    """Every message a customer reads says who sends it (partials and HTML layouts aside)."""
    return not is_partial(name) and name.endswith(".txt")


class HeraldLoader(BaseLoader):
    """Reads from the merchant's directory first, then the built-in one; lints every file."""

    def __init__(self, roots: list[Path]) -> None:
        self.roots = roots
        self.front_matters: dict[str, FrontMatter] = {}

    def find(self, name: str) -> Path | None:
        if ".." in name.split("/"):
            return None
        for root in self.roots:
            path = root / name
            if path.is_file():
                return path
        return None

    def get_source(self, environment: Any, name: str) -> tuple[str, str, Any]:
        path = self.find(name)
        if path is None:
            raise TemplateNotFound(name)
        source = path.read_text(encoding="utf-8")
        file = str(path)
        front_matter, jinja_source, issues = split_front_matter(source, file)
        issues += check_front_matter(name, file, front_matter)
        issues += lint_template_source(
            source, file, environment, requires_brand=requires_brand(name)
        )
        if issues:
            raise TemplateLintError(issues)
        self.front_matters[name] = front_matter
        return jinja_source, file, lambda: True  # never reloaded: no file access per render

    def list_templates(self) -> list[str]:
        names = set()
        for root in self.roots:
            for path in root.glob("*/*/*"):
                if path.is_file() and path.suffix in TEMPLATE_SUFFIXES:
                    names.add(path.relative_to(root).as_posix())
        return sorted(names)


def _refuse_missing(value: Any) -> Any:
    """A template that prints a value this event lacks must fail, not say 'None'."""
    if value is None:
        raise UndefinedError("a template printed a missing value; show it inside {% if %}")
    return value


class HeraldEnvironment(ImmutableSandboxedEnvironment):
    """Sandboxed (a template is data, not code) and strict about undefined variables."""

    def join_path(self, template: str, parent: str) -> str:
        # {% extends "_layout.html" %} means the layout beside the template, same locale.
        return template if "/" in template else posixpath.join(posixpath.dirname(parent), template)


def new_environment(loader: BaseLoader) -> HeraldEnvironment:
    return HeraldEnvironment(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=select_autoescape(("html",), default_for_string=False, default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        cache_size=-1,
        finalize=_refuse_missing,
        extensions=[OptionalPartExtension],
    )


class TemplateLibrary:
    """One merchant's templates (or the built-in ones): what exists, compiled on first use."""

    def __init__(self, roots: list[Path]) -> None:
        self.loader = HeraldLoader(roots)
        self.environment = new_environment(self.loader)
        self.names = frozenset(self.loader.list_templates())
        # Top-level folders starting with "_" hold shared files (the base e-mail layout).
        self.locales = frozenset(n.split("/")[0] for n in self.names if not n.startswith("_"))
        self._compiled: dict[str, CompiledTemplate] = {}
        self._lock = threading.Lock()

    def has(self, name: str) -> bool:
        return name in self.names

    def first_locale_with(
        self, chain: tuple[str, ...], channel: Channel, milestone: Milestone
    ) -> str | None:
        for locale in chain:
            if self.has(milestone_template_name(locale, channel, milestone)):
                return locale
        return None

    def get(self, name: str) -> CompiledTemplate:
        """The compiled template; raises TemplateNotFound, TemplateLintError or a syntax error."""
        compiled = self._compiled.get(name)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(name) or self._compile(name)
                self._compiled[name] = compiled
        return compiled

    def _compile(self, name: str) -> CompiledTemplate:
        if name not in self.names:
            raise TemplateNotFound(name)
        template = self.environment.get_template(name)
        front_matter = self.loader.front_matters[name]
        header_source = next(
            (front_matter.values[k] for k in _HEADER_KEYS if k in front_matter.values), None
        )
        header = None if header_source is None else self.environment.from_string(header_source)
        priorities = [int(p or 1) for p in _OPTIONAL_PRIORITY.findall(template_source(self, name))]
        return CompiledTemplate(
            name=name,
            filename=template.filename or name,
            template=template,
            header=header,
            front_matter=front_matter,
            max_optional_priority=max(priorities, default=0),
        )


def template_source(library: TemplateLibrary, name: str) -> str:
    path = library.loader.find(name)
    return path.read_text(encoding="utf-8") if path else ""


def valid_merchant(merchant: str | None) -> str | None:
    """The merchant id when it can name a directory safely, else None (built-ins)."""
    return merchant if merchant and _MERCHANT_ID.match(merchant) else None


def library_for(merchant: str | None, settings: MessagingSettings | None = None) -> TemplateLibrary:
    settings = settings or get_messaging_settings()
    return _library(valid_merchant(merchant), settings.merchant_templates_dir)


@lru_cache(maxsize=64)
def _library(merchant: str | None, merchant_templates_dir: Path | None) -> TemplateLibrary:
    roots = [BUILTIN_TEMPLATES_DIR]
    if merchant and merchant_templates_dir and (merchant_templates_dir / merchant).is_dir():
        roots.insert(0, merchant_templates_dir / merchant)
    return TemplateLibrary(roots)


def clear_template_caches() -> None:
    """Forget compiled templates (tests, or after a merchant edits files)."""
    _library.cache_clear()
