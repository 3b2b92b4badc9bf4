"""The content filter on its corpus (``tests/corpora/content``): caught and refused rates.

``python -m bench.content_corpus`` prints, per language, how many prohibited texts
(plain and obfuscated) the filter catches and how many ordinary order texts it would
refuse; ``-v`` lists every miss. Targets: >= 90% of prohibited caught, <= 2% of
ordinary refused.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench.corpus_files import load_sections
from messaging.content_filter import findings

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpora" / "content"
HELD_OUT = CORPUS / "held_out"  # written after the rules were tuned, never tuned on
SECTIONS = ("prohibited", "obfuscated", "ordinary")
LANGUAGES = ("en", "es", "fr", "de", "it", "pt", "nl", "pl", "tr", "ja", "zh", "ar")


def load(language: str, folder: Path = CORPUS) -> dict[str, list[str]]:
    """The corpus of one language, by section."""
    return load_sections(folder / f"{language}.txt", SECTIONS)


@dataclass
class Figures:
    prohibited: int = 0
    caught: int = 0
    obfuscated: int = 0
    obfuscated_caught: int = 0
    ordinary: int = 0
    refused: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def caught_rate(self) -> float:
        total = self.prohibited + self.obfuscated
        return (self.caught + self.obfuscated_caught) / total if total else 1.0

    @property
    def refused_rate(self) -> float:
        return self.refused / self.ordinary if self.ordinary else 0.0

    def add(self, other: Figures) -> None:
        for name in ("prohibited", "caught", "obfuscated", "obfuscated_caught"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.ordinary += other.ordinary
        self.refused += other.refused
        self.misses += other.misses


def measure(language: str, folder: Path = CORPUS) -> Figures:
    figures = Figures()
    sections = load(language, folder)
    for text in sections["prohibited"]:
        figures.prohibited += 1
        if findings(text):
            figures.caught += 1
        else:
            figures.misses.append(f"{language} missed: {text}")
    for text in sections["obfuscated"]:
        figures.obfuscated += 1
        if findings(text):
            figures.obfuscated_caught += 1
        else:
            figures.misses.append(f"{language} missed (obfuscated): {text}")
    for text in sections["ordinary"]:
        figures.ordinary += 1
        found = findings(text)
        if found:
            figures.refused += 1
            rules = ", ".join(f"{f.rule.rule} {f.found!r}" for f in found)
            figures.misses.append(f"{language} refused: {text} ({rules})")
    return figures


def main(verbose: bool = False) -> None:
    everything = Figures()
    for folder, title in (
        (CORPUS, "the corpus the rules were written against"),
        (HELD_OUT, HELD_OUT_TITLE),
    ):
        print(f"{folder.name}: {title}")
        everything.add(report(folder, verbose))
        print()
    print("both together:")
    _row("all", everything)


HELD_OUT_TITLE = "held out (first run: 50 of 60 caught, 8 of 70 refused; fixed since)"


def report(folder: Path, verbose: bool) -> Figures:
    total = Figures()
    header = ("lang", "prohib", "obfusc", "caught", "ordinary", "refused")
    print("{:6}{:>8}{:>8}{:>8}{:>10}{:>9}".format(*header))
    for language in LANGUAGES:
        figures = measure(language, folder)
        total.add(figures)
        _row(language, figures)
    _row("all", total)
    if verbose and total.misses:
        print("\n".join(total.misses))
    return total


def _row(name: str, f: Figures) -> None:
    print(
        f"{name:6}{f.prohibited:>8}{f.obfuscated:>8}{f.caught_rate:>8.1%}"
        f"{f.ordinary:>10}{f.refused_rate:>9.1%}"
    )


if __name__ == "__main__":
    main(verbose="-v" in sys.argv[1:])
