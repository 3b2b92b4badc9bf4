"""Segments per SMS and what smart encoding saves, over every milestone × locale.

Run ``python -m messaging.stats``. Each locale's realistic sample customers (one whose
name fits GSM-7, one whose name does not, where the language has such names) get every
milestone with complete data; a second table adds the first-SMS opt-out line.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TextIO

from domain.milestones import Milestone
from messaging.render import render_sms_explained
from messaging.samples import SAMPLE_LOCALES, sample_event
from messaging.segments import Encoding, count_segments


@dataclass
class Tally:
    messages: int = 0
    segments: int = 0
    gsm7: int = 0
    kept_in_gsm7: int = 0  # would have been UCS-2 without smart encoding
    segments_without_smart_encoding: int = 0
    cost_usd: Decimal = Decimal(0)

    def add(self, segments: int, gsm7: bool, kept: bool, raw_segments: int, cost: Decimal) -> None:
        self.messages += 1
        self.segments += segments
        self.gsm7 += gsm7
        self.kept_in_gsm7 += kept
        self.segments_without_smart_encoding += raw_segments
        self.cost_usd += cost

    @property
    def average_segments(self) -> float:
        return self.segments / self.messages if self.messages else 0.0


@dataclass
class Stats:
    total: Tally = field(default_factory=Tally)
    by_locale: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))


def collect(*, first_sms: bool = False) -> Stats:
    stats = Stats()
    for locale, name, milestone in _cases():
        event = sample_event(milestone, locale, name=name)
        message, encoded = render_sms_explained(event, first_sms_to_number=first_sms)
        segments = message.segments or 0
        figures = (
            segments,
            message.encoding == Encoding.GSM7.value,
            encoded.kept_in_gsm7,
            count_segments(encoded.rendered).segments,
            message.estimated_cost_usd or Decimal(0),
        )
        stats.total.add(*figures)
        stats.by_locale[locale].add(*figures)
    return stats


def _cases() -> Iterator[tuple[str, str, Milestone]]:
    for locale, sample in SAMPLE_LOCALES.items():
        for name in sample.names:
            for milestone in Milestone:
                yield locale, name, milestone


def print_stats(stats: Stats, title: str, out: TextIO) -> None:
    print(title, file=out)
    print(
        f"{'locale':<8} {'SMS':>4} {'avg seg':>8} {'GSM-7':>6} {'kept':>5} "
        f"{'seg w/o SE':>10} {'cost $':>8}",
        file=out,
    )
    for locale, tally in [*stats.by_locale.items(), ("all", stats.total)]:
        print(
            f"{locale:<8} {tally.messages:>4} {tally.average_segments:>8.2f} {tally.gsm7:>6} "
            f"{tally.kept_in_gsm7:>5} {tally.segments_without_smart_encoding:>10} "
            f"{tally.cost_usd:>8.4f}",
            file=out,
        )
    total = stats.total
    saved = total.segments_without_smart_encoding - total.segments
    print(
        f"Average {total.average_segments:.2f} segments per SMS over {total.messages} messages "
        f"({len(stats.by_locale)} locales × {len(Milestone)} milestones × sample names); "
        f"{total.gsm7} sent in GSM-7, {total.kept_in_gsm7} of them kept there by smart "
        f"encoding, saving {saved} segments.\n",
        file=out,
    )


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    print_stats(collect(), "Every milestone x locale, realistic data:", out)
    print_stats(collect(first_sms=True), "The same as a number's first SMS (opt-out line):", out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
