"""Mutation scores per module (``make mutation`` prints them).

``make mutation`` saves ``mutmut results --all true`` for each module right after its
run, in ``mutants/results/<module>.txt``. A module's score counts killed mutants over
the mutants that are not equivalent: those listed in ``tests/mutation_equivalents.txt``
change nothing any caller could see (each with the reason), so no test can kill them.
Mutants mutmut could not run (no test reaches them) count as survivors; time-outs as
killed, as mutmut counts them.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "mutants" / "results"
EQUIVALENTS = ROOT / "tests" / "mutation_equivalents.txt"
KILLED = frozenset({"killed", "timeout", "caught by type check"})
NOT_RUN = frozenset({"not checked", "checked"})  # not run, or a run stopped before its end


def equivalents() -> set[str]:
    lines = EQUIVALENTS.read_text(encoding="utf-8").splitlines()
    return {line.split()[0] for line in lines if line.strip() and not line.startswith("#")}


def score(module: str) -> tuple[int, int, list[str]]:
    """Killed, counted (run and not equivalent) and the survivors' names."""
    skip = equivalents()
    killed, counted, survivors = 0, 0, []
    path = RESULTS / f"{module}.txt"
    for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
        name, _, status = line.strip().partition(": ")
        if not name.startswith(f"{module}.") or name in skip or status in NOT_RUN:
            continue
        counted += 1
        if status in KILLED:
            killed += 1
        else:
            survivors.append(f"{name} ({status})")
    return killed, counted, survivors


def main(modules: list[str], verbose: bool) -> None:
    for module in modules:
        killed, counted, survivors = score(module)
        shown = f"{killed / counted:6.1%}" if counted else "   n/a"
        print(f"{module:32} {killed:>5}/{counted:<5} {shown}")
        if verbose:
            print("".join(f"    survived: {name}\n" for name in survivors), end="")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    main([a for a in arguments if not a.startswith("-")], verbose="-v" in arguments)
