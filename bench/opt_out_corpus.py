"""Opt-out recall and false opt-outs on the reply corpus (``tests/corpora/opt_out``).

``python -m bench.opt_out_corpus`` prints one line per language and a total: how many
opt-outs were honoured (recall), how many near misses and ordinary replies were taken
for an opt-out (false opt-outs), and how many replies earned the clarifying question.
Add ``-v`` to list every miss. Targets: recall >= 98%, no false opt-out.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench.corpus_files import load_sections
from policy.keywords import KeywordIntent, classify_reply

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpora" / "opt_out"
HELD_OUT = CORPUS / "held_out"
SECTIONS = ("opt_out", "near_miss", "ordinary")
# The locale each file's customers have (region included: national keywords apply).
LOCALES = {
    "en": "en-US",
    "es": "es-ES",
    "fr": "fr-FR",
    "de": "de-DE",
    "it": "it-IT",
    "pt": "pt-BR",
    "nl": "nl-NL",
    "pl": "pl-PL",
    "tr": "tr-TR",
    "ja": "ja-JP",
    "zh": "zh-Hans-CN",
    "ar": "ar-SA",
}


def load(language: str, folder: Path = CORPUS) -> dict[str, list[str]]:
    """The corpus of one language, by section."""
    return load_sections(folder / f"{language}.txt", SECTIONS)


@dataclass
class Figures:
    opt_outs: int = 0
    honoured: int = 0
    others: int = 0  # near misses and ordinary replies
    false_opt_outs: int = 0
    questions: int = 0  # clarifying questions asked, on any reply
    misses: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.honoured / self.opt_outs if self.opt_outs else 1.0

    def add(self, other: Figures) -> None:
        self.opt_outs += other.opt_outs
        self.honoured += other.honoured
        self.others += other.others
        self.false_opt_outs += other.false_opt_outs
        self.questions += other.questions
        self.misses += other.misses


def measure(language: str, folder: Path = CORPUS) -> Figures:
    figures = Figures()
    for section, replies in load(language, folder).items():
        for reply in replies:
            match = classify_reply(reply, LOCALES[language])
            intent = match.intent if match else None
            figures.questions += intent is KeywordIntent.CONFIRM_OPT_OUT
            if section == "opt_out":
                figures.opt_outs += 1
                figures.honoured += intent is KeywordIntent.OPT_OUT
                if intent is not KeywordIntent.OPT_OUT:
                    figures.misses.append(f"{language} missed: {reply}")
            else:
                figures.others += 1
                if intent is KeywordIntent.OPT_OUT:
                    figures.false_opt_outs += 1
                    figures.misses.append(f"{language} false opt-out ({section}): {reply}")
    return figures


def main(verbose: bool = False) -> None:
    report(CORPUS, "the corpus the rules were written against", verbose)
    report(
        HELD_OUT,
        "held out: written after the rules (first run: 78 of 84 opt-outs, 6 fixed since)",
        verbose,
    )


def report(folder: Path, title: str, verbose: bool) -> None:
    total = Figures()
    print(f"{folder.relative_to(CORPUS.parent.parent.parent)}: {title}")
    print(f"{'lang':6}{'opt-outs':>9}{'recall':>9}{'others':>8}{'false':>7}{'asked':>7}")
    for language in LOCALES:
        figures = measure(language, folder)
        total.add(figures)
        print(
            f"{language:6}{figures.opt_outs:>9}{figures.recall:>9.1%}{figures.others:>8}"
            f"{figures.false_opt_outs:>7}{figures.questions:>7}"
        )
    print(
        f"{'all':6}{total.opt_outs:>9}{total.recall:>9.1%}{total.others:>8}"
        f"{total.false_opt_outs:>7}{total.questions:>7}"
    )
    if verbose and total.misses:
        print("\n".join(total.misses))
    print()


if __name__ == "__main__":
    main(verbose="-v" in sys.argv[1:])
