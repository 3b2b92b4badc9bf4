"""Every saved history must replay on today's code: running orders never break on deploy.

The histories in ``histories/`` were recorded by ``record_histories.py`` from each release
(1.0 onwards); workflows/README.md says how a change that would break one ships.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from privacy.converter import data_converter
from tests.helpers.temporal import settings_for_tests
from tests.workflows.record_histories import SCENARIOS
from workflows.registry import WORKFLOW_RUNNER, WORKFLOWS

HISTORIES = sorted(Path(__file__).with_name("histories").glob("*.json"))
WORKFLOW_SOURCES = sorted((Path(__file__).parents[2] / "workflows").glob("*.py"))
# A patch call; its id must be a string literal, so that this test can read it.
PATCH_CALL = re.compile(r"workflow\.(?:patched|deprecate_patch)\(\s*([^)]*?)\s*\)", re.S)
LITERAL = re.compile(r"""^(["'])([^"']+)\1$""")


def recorded_workflow_id(path: Path) -> str:
    """Files are named <workflow id>.<release>[.run<n>].json."""
    return path.name.split(".")[0]


def patches_taken(path: Path) -> set[str]:
    """The patch ids a saved history recorded as taken."""
    taken = set()
    for event in json.loads(path.read_text())["events"]:
        marker = event.get("markerRecordedEventAttributes", {})
        if marker.get("markerName") == "core_patch":
            for payload in marker["details"]["patch-data"]["payloads"]:
                taken.add(json.loads(base64.b64decode(payload["data"]))["id"])
    return taken


def live_patch_ids(sources: dict[str, str]) -> set[str]:
    """The ids of every ``workflow.patched``/``deprecate_patch`` call in ``sources``."""
    ids = set()
    for name, text in sources.items():
        for argument in PATCH_CALL.findall(text):
            literal = LITERAL.match(argument)
            assert literal, f"{name}: patch id {argument!r} is not a string literal"
            ids.add(literal.group(2))
    return ids


def test_there_is_a_history_for_every_scenario() -> None:
    recorded = {recorded_workflow_id(p).split("replay-", 1)[1] for p in HISTORIES}
    assert recorded == set(SCENARIOS)


def test_every_live_patch_has_a_history_that_took_it() -> None:
    sources = {p.name: p.read_text() for p in WORKFLOW_SOURCES}
    recorded = set().union(*(patches_taken(p) for p in HISTORIES))
    missing = live_patch_ids(sources) - recorded
    assert not missing, f"record a history with each of {sorted(missing)} (workflows/README.md)"


def test_patch_ids_are_found_in_the_source() -> None:
    """The grep above finds what it must, so an empty answer means no patch."""
    source = """
        if workflow.patched("two-providers"):
            ...
        workflow.deprecate_patch('reports-with-send')
    """
    assert live_patch_ids({"x.py": source}) == {"two-providers", "reports-with-send"}
    with pytest.raises(AssertionError, match="not a string literal"):
        live_patch_ids({"x.py": "workflow.patched(TWO_PROVIDERS)"})


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_saved_history_replays_without_nondeterminism(path: Path) -> None:
    replayer = Replayer(
        workflows=WORKFLOWS,
        data_converter=data_converter(settings_for_tests()),
        workflow_runner=WORKFLOW_RUNNER,
    )
    history = WorkflowHistory.from_json(recorded_workflow_id(path), path.read_text())
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None
