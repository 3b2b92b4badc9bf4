"""``python -m messaging.stats``: the figures the issue asks for."""

from __future__ import annotations

import io

from domain.milestones import Milestone
from messaging.samples import SAMPLE_LOCALES
from messaging.stats import collect, main


def test_stats_cover_every_milestone_locale_and_sample_name() -> None:
    stats = collect()
    expected = sum(len(sample.names) for sample in SAMPLE_LOCALES.values()) * len(Milestone)
    assert stats.total.messages == expected
    assert set(stats.by_locale) == set(SAMPLE_LOCALES)
    assert 1.0 <= stats.total.average_segments < 3.0
    assert 0 < stats.total.kept_in_gsm7 <= stats.total.gsm7
    assert stats.total.segments_without_smart_encoding > stats.total.segments


def test_latin_customers_with_gsm7_names_pay_one_segment() -> None:
    stats = collect()
    assert stats.by_locale["de"].average_segments == 1.0  # German names are GSM-7 (ä, ö, ü, ß)


def test_main_prints_the_summary() -> None:
    out = io.StringIO()
    assert main([], out) == 0
    assert "segments per SMS" in out.getvalue()
    assert "kept there by smart encoding" in out.getvalue()
