"""The corpora's file format, shared by the compliance benchmarks: one file per language,
``[section]`` headers, one sample per line, blank lines ignored."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def load_sections(path: Path, sections: Sequence[str]) -> dict[str, list[str]]:
    """Each known section's samples; an unknown section or a sample before any is an error."""
    found: dict[str, list[str]] = {name: [] for name in sections}
    current: str | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            if current not in found:
                raise ValueError(f"{path.name}: unknown section {line}")
        elif line:
            if current is None:
                raise ValueError(f"{path.name}: {line!r} before any section")
            found[current].append(line)
    return found
