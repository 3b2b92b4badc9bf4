"""Mutation scores per module from mutmut's results (``make mutation`` prints them).

A module's score counts killed mutants over the mutants that are not equivalent: the
ones listed in ``tests/mutation_equivalents.txt`` change nothing any caller could see
(each with the reason), so no test can kill them. Mutants mutmut could not run (no test
reaches them, time-outs) count as survivors.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"
EQUIVALENTS = ROOT / "tests" / "mutation_equivalents.txt"
KILLED_EXIT_CODES = frozenset({1, 3, -24, 24, 36, 152, 255})  # a test failed, or timed out


def equivalents() -> set[str]:
    if not EQUIVALENTS.exists():
        return set()
    lines = EQUIVALENTS.read_text(encoding="utf-8").splitlines()
    return {line.split()[0] for line in lines if line.strip() and not line.startswith("#")}


def scores(modules: list[str]) -> dict[str, tuple[int, int, list[str]]]:
    """Per module: killed, counted (non-equivalent, run) and the survivors' names."""
    skip = equivalents()
    found: dict[str, tuple[int, int, list[str]]] = {}
    for module in modules:
        meta = MUTANTS / (module.replace(".", "/") + ".py.meta")
        if not meta.exists():
            continue
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        killed, counted, survivors = 0, 0, []
        for name, code in sorted(codes.items()):
            if name in skip or code is None:
                continue
            counted += 1
            if code in KILLED_EXIT_CODES:
                killed += 1
            else:
                survivors.append(name)
        found[module] = (killed, counted, survivors)
    return found


def main(modules: list[str]) -> None:
    for module, (killed, counted, survivors) in scores(modules).items():
        score = killed / counted if counted else 1.0
        print(f"{module:32} {killed:>5}/{counted:<5} {score:6.1%}")
        if "-v" in sys.argv:
            for name in survivors:
                print(f"    survived: {name}")


if __name__ == "__main__":
    main([argument for argument in sys.argv[1:] if not argument.startswith("-")])
