"""``herald`` as people call it: the installed executable against the running stack."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

from temporalio.client import Client

from devstack.processes import BIN_DIR
from devstack.stack import Stack
from domain.milestones import Kind
from starter.client import signal_milestone
from tests.e2e.test_stack import all_final, history_when, new_phone, new_reference
from tests.helpers.events import order_event

HERALD = str(BIN_DIR / "herald")


def herald(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([HERALD, *args], capture_output=True, text=True, env=env, timeout=60)


async def test_history_run_50_times_always_exits_0(client: Client, stack: Stack) -> None:
    """The SDK's teardown crash (PyGILState_Release, exit 134) never reaches the caller."""
    reference = new_reference()
    await signal_milestone(client, order_event("shipped", reference, phone=new_phone()))
    await history_when(client, Kind.ORDER, reference, all_final(1))

    def fifty() -> list[subprocess.CompletedProcess[str]]:
        return [herald("history", "order", reference, env=stack.env) for _ in range(50)]

    runs = await asyncio.to_thread(fifty)
    codes = [r.returncode for r in runs]
    assert codes == [0] * 50, [(r.returncode, r.stderr[-300:]) for r in runs if r.returncode]
    assert all(f"order {reference}" in r.stdout for r in runs)


async def test_reading_commands_speak_json(client: Client, stack: Stack) -> None:
    reference = new_reference()
    await signal_milestone(client, order_event("shipped", reference, phone=new_phone()))
    await history_when(client, Kind.ORDER, reference, all_final(1))

    history = await asyncio.to_thread(
        herald, "history", "order", reference, "--json", env=stack.env
    )
    stats = await asyncio.to_thread(herald, "stats", "--json", "--period", "24h", env=stack.env)

    assert json.loads(history.stdout)["reference"] == reference
    assert json.loads(stats.stdout)["figures"]["sms"] >= 1


async def test_errors_are_one_line_with_the_fix_and_stable_codes(
    stack: Stack, tmp_path: Path
) -> None:
    nowhere = {**stack.env, "HERALD_TEMPORAL_ADDRESS": "127.0.0.1:9"}

    def run_all() -> list[subprocess.CompletedProcess[str]]:
        return [
            herald("history", "order", "X", env=nowhere),
            herald("signal", str(tmp_path / "missing.json"), env=stack.env),
            herald("history", "order", f"never-{new_reference()}", env=stack.env),
            herald("stats", "--period", "yesterday", env=stack.env),
            herald("--version", env=stack.env),
        ]

    unreachable, missing, unknown, bad_period, version = await asyncio.to_thread(run_all)
    assert unreachable.returncode == 3
    assert unreachable.stderr.strip() == (
        "herald: Temporal is not reachable at 127.0.0.1:9: is `make run` running? "
        "(or set HERALD_TEMPORAL_ADDRESS)"
    )
    assert (missing.returncode, missing.stderr.strip()) == (
        2,
        f"herald: no such file: {tmp_path / 'missing.json'}: check the path",
    )
    assert unknown.returncode == 1 and "Traceback" not in unknown.stderr
    assert bad_period.returncode == 2 and "unknown period 'yesterday'" in bad_period.stderr
    assert version.returncode == 0 and version.stdout.startswith("herald 0.")
    for run in (unreachable, missing, unknown, bad_period):
        assert len(run.stderr.strip().splitlines()) == 1, run.stderr
