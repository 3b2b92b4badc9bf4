"""Every saved history of the tracking poller replays on today's code: a running poller
never breaks on deploy (workflows/README.md; recorded by record_tracking_histories.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from privacy.converter import data_converter
from tests.helpers.temporal import settings_for_tests
from tests.workflows.record_tracking_histories import HISTORIES, SCENARIOS, recorded_id
from workflows.registry import WORKFLOW_RUNNER, WORKFLOWS

SAVED = sorted(HISTORIES.glob("*.json"))


def scenario_of(path: Path) -> str:
    return path.name.split(".")[0]


def test_there_is_a_history_for_every_scenario() -> None:
    assert {scenario_of(p) for p in SAVED} == set(SCENARIOS)
    continued = [p.name for p in SAVED if scenario_of(p) == "continued"]
    assert len(continued) >= 2, "every run of the continued poller is saved"


@pytest.mark.parametrize("path", SAVED, ids=[p.stem for p in SAVED])
async def test_saved_poller_history_replays_without_nondeterminism(path: Path) -> None:
    replayer = Replayer(
        workflows=WORKFLOWS,
        data_converter=data_converter(settings_for_tests()),
        workflow_runner=WORKFLOW_RUNNER,
    )
    history = WorkflowHistory.from_json(recorded_id(scenario_of(path)), path.read_text())
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None
