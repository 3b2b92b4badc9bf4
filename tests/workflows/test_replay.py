"""Every saved history must replay on today's code: running orders never break on deploy."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from privacy.converter import data_converter
from tests.helpers.temporal import settings_for_tests
from workflows import notification
from workflows.registry import WORKFLOW_RUNNER, WORKFLOWS

HISTORIES = sorted(Path(__file__).with_name("histories").glob("*.json"))


def test_there_are_histories_to_replay() -> None:
    assert len(HISTORIES) >= 3


def patches_taken(path: Path) -> set[str]:
    """The workflow.patched() ids a saved history recorded as taken."""
    taken = set()
    for event in json.loads(path.read_text())["events"]:
        marker = event.get("markerRecordedEventAttributes", {})
        if marker.get("markerName") == "core_patch":
            for payload in marker["details"]["patch-data"]["payloads"]:
                taken.add(json.loads(base64.b64decode(payload["data"]))["id"])
    return taken


def test_every_workflow_version_has_a_history_to_replay() -> None:
    recorded = set().union(*(patches_taken(p) for p in HISTORIES))
    assert set(notification.VERSIONS) <= recorded


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_saved_history_replays_without_nondeterminism(path: Path) -> None:
    workflow_id = path.name.split(".")[0]  # files are named <workflow id>.<code version>.json
    replayer = Replayer(
        workflows=WORKFLOWS,
        data_converter=data_converter(settings_for_tests()),
        workflow_runner=WORKFLOW_RUNNER,
    )
    history = WorkflowHistory.from_json(workflow_id, path.read_text())
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None
