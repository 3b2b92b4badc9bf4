"""The command line of ``python -m bench.milestones``: its arguments and the options they make."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

SYSTEMS = ("baseline", "herald")


@dataclass
class Options:
    rate: float
    duration: float
    sweep: bool
    step: float
    step_duration: float
    spacing: float
    max_rate: float
    budget: float
    sample: int
    callback_delay: float
    noisy_retries: int
    systems: list[str]
    out: Path | None
    keep_data: bool
    workflow_sandbox: bool
    policy_in_start: bool


def parse_args(argv: list[str] | None, description: str | None) -> Options:
    """``description`` is the entry module's docstring, so ``--help`` describes the benchmark."""
    parser = argparse.ArgumentParser(prog="python -m bench.milestones", description=description)
    parser.add_argument("--rate", type=float, default=20.0, help="milestones/s, fixed-rate run")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds, fixed-rate run")
    parser.add_argument("--sweep", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--step", type=float, default=10.0, help="sweep increment, milestones/s")
    parser.add_argument("--step-duration", type=float, default=15.0, help="seconds per step")
    parser.add_argument(
        "--spacing", type=float, default=4.0, help="seconds between one order's milestones"
    )
    parser.add_argument("--max-rate", type=float, default=200.0, help="sweep ceiling")
    parser.add_argument("--budget", type=float, default=480.0, help="seconds; sweep stops")
    parser.add_argument("--sample", type=int, default=40, help="orders read for the breakdown")
    parser.add_argument("--callback-delay", type=float, default=0.2, help="sandbox, seconds")
    parser.add_argument(
        "--noisy-retries", type=int, default=1, help="runs again when other load disturbed it"
    )
    parser.add_argument(
        "--systems",
        type=lambda text: text.split(","),
        default=list(SYSTEMS),
        help="comma-separated, e.g. herald to iterate on Herald alone (no ratios then)",
    )
    parser.add_argument("--out", type=Path, help="also append the JSON lines to this file")
    parser.add_argument("--keep-data", action="store_true", help="keep the data and logs")
    parser.add_argument(
        "--workflow-sandbox",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="run both systems' workflows in Temporal's sandbox (off: as production workers)",
    )
    parser.add_argument(
        "--policy-in-start",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="Herald's starter sends the workflow's tunables (off: each run loads them)",
    )
    parser.add_argument("--quick", action="store_true", help="smoke check, about two minutes")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration = args.step_duration = 8.0
        args.spacing = 2.0
        args.max_rate = args.rate + args.step
        args.sample = 10
    if unknown := set(args.systems) - set(SYSTEMS):
        parser.error(f"unknown systems: {', '.join(sorted(unknown))}")
    options = {k: v for k, v in vars(args).items() if k != "quick"}
    return Options(**options)
