"""Every source that can keep a dead letter can replay it: the sources are found in the
code (each call that keeps a refusal, and the source it names), not listed here, so a new
source that keeps dead letters without a replay mapping fails this test."""

from __future__ import annotations

import ast
import importlib
from dataclasses import dataclass
from pathlib import Path

from intake.replay_mappings import REPLAY_MAPPINGS

ROOT = Path(__file__).resolve().parents[2]
# The project's code: whatever is not tests, tools or the virtualenv.
# mutants: mutmut's copy of the tree (`make mutation`), tests included.
SKIPPED = {
    "tests",
    "bench",
    "scripts",
    "devstack",
    "sandbox",
    "examples",
    "deploy",
    "docs",
    "mutants",
}
# A function that keeps a dead letter -> the position of its source argument.
KEEPERS = {"keep_refusal": 1, "keep_refusal_in": 2}
# store.dead_letters.keep(source, ...) and keep_in(connection, source, ...).
STORE_KEEPERS = {"keep": 0, "keep_in": 1}
# Keeping a letter's own source again (a replay that still fails) adds no source.
PASSED_THROUGH = {"letter.source"}


@dataclass(frozen=True)
class Site:
    module: str
    line: int
    source: ast.expr


def project_modules() -> list[tuple[str, ast.Module]]:
    modules = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in SKIPPED or parts[0].startswith(".") or "migrations" in parts:
            continue
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        modules.append((name, ast.parse(path.read_text(), str(path))))
    return modules


def calls(tree: ast.AST) -> list[ast.Call]:
    """The calls in ``tree``, but those inside the keepers themselves (their callers name
    the source)."""
    found = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef) and node.name in KEEPERS:
            continue
        if isinstance(node, ast.Call):
            found.append(node)
        found += calls(node)
    return found


def keeping_sites(module: str, tree: ast.Module) -> list[Site]:
    """Each call keeping a dead letter, direct or handed to a runner (asyncio.to_thread)."""
    sites = []
    for node in calls(tree):
        if not isinstance(node, ast.Call):
            continue
        func, args = node.func, node.args
        if args and isinstance(args[0], ast.Name) and args[0].id in KEEPERS:
            func, args = args[0], args[1:]  # to_thread(keep_refusal, store, SOURCE, ...)
        if isinstance(func, ast.Name) and func.id in KEEPERS:
            sites.append(Site(module, node.lineno, args[KEEPERS[func.id]]))
        elif (
            isinstance(func, ast.Attribute)
            and func.attr in STORE_KEEPERS
            and ast.unparse(func.value).endswith("dead_letters")
        ):
            sites.append(Site(module, node.lineno, args[STORE_KEEPERS[func.attr]]))
    return sites


def tracker_webhook_sources(modules: list[tuple[str, ast.Module]]) -> set[str]:
    """The sources of the carrier webhooks the shared tracker route keeps for."""
    found = set()
    for module, tree in modules:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "TrackerWebhook":
                [source] = [k.value for k in node.keywords if k.arg == "source"]
                found.add(resolve(module, source))
    return found


def resolve(module: str, expression: ast.expr) -> str:
    if isinstance(expression, ast.Constant) and isinstance(expression.value, str):
        return expression.value
    if isinstance(expression, ast.Name):
        value = getattr(importlib.import_module(module), expression.id, None)
        assert isinstance(value, str), f"{module}: {expression.id} is no source name"
        return value
    raise AssertionError(f"{module}: cannot tell which source {ast.unparse(expression)} is")


def dead_letter_sources() -> set[str]:
    modules = project_modules()
    sources: set[str] = set()
    sites = [site for module, tree in modules for site in keeping_sites(module, tree)]
    for site in sites:
        written = ast.unparse(site.source)
        if written in PASSED_THROUGH:
            continue
        if written == "webhook.source":  # api/intake_trackers.py: each TrackerWebhook's
            sources |= tracker_webhook_sources(modules)
            continue
        sources.add(resolve(site.module, site.source))
    return sources


def test_the_sources_are_found_where_the_code_keeps_dead_letters() -> None:
    # The ones known today: a finder that missed one would let its gap through.
    assert dead_letter_sources() >= {
        "generic",
        "shopify",
        "easypost",
        "aftership",
        "easypost_poller",
        "returns",
    }


def test_every_source_that_keeps_dead_letters_has_a_replay_mapping() -> None:
    missing = sorted(dead_letter_sources() - REPLAY_MAPPINGS.keys())
    assert missing == [], f"dead letters of {missing} could never be replayed"
