"""The milestone benchmark's closing JSON line: Herald against the baseline, as ratios."""

from __future__ import annotations

from typing import Any

from bench.load import Load
from bench.measure import peak_rss_mb, percentiles
from bench.milestone_runs import MAX_P99_MS, MIN_ACHIEVED, Bench
from bench.stack_setup import SENDER_RATE


def summary(
    bench: Bench, fixed: dict[str, Load], passed: dict[str, float], open_ended: dict[str, bool]
) -> dict[str, Any]:
    opts = bench.options
    p99 = {name: percentiles(load.latencies_ms())["p99"] for name, load in fixed.items()}
    p99_ratio = _ratio(p99.get("herald"), p99.get("baseline"))
    rate_ratio = _ratio(passed.get("herald"), passed.get("baseline")) if opts.sweep else None
    rate = f"{opts.rate:g}"
    return {
        "summary": "herald / baseline, same dev server, same run",
        f"p99_ms_at_{rate}": p99,
        f"p99_ratio_at_{rate}": p99_ratio,
        "max_sustained_rate": passed if opts.sweep else None,
        "max_rate_is_lower_bound": open_ended,
        "max_rate_ratio": rate_ratio,
        # Throughput whatever the latency: the most SMS/s each system got through in any run.
        "peak_achieved_rate": {k: round(v, 2) for k, v in bench.peak_achieved.items()},
        "peak_achieved_ratio": _ratio(
            bench.peak_achieved.get("herald"), bench.peak_achieved.get("baseline")
        ),
        "worker_peak_rss_mb": {
            "herald": peak_rss_mb(bench.pids["herald_worker"]),
            "baseline": peak_rss_mb(bench.pids["baseline_worker"]),
        },
        "targets_met": {
            f"p99_within_2x_at_{rate}": p99_ratio is not None and p99_ratio <= 2.0,
            "max_rate_at_least_60pct": None if rate_ratio is None else rate_ratio >= 0.6,
        },
        "sustained_means": f"achieved >= {MIN_ACHIEVED:.0%} of offered, p99 <= {MAX_P99_MS:g} ms",
        "sms_sender_messages_per_second": SENDER_RATE,
        "workflow_sandbox": opts.workflow_sandbox,
        "policy_in_start": opts.policy_in_start,
        "note": "sender limits, quiet hours and coalescing lifted: Herald's own costs only",
        "elapsed_s": round(bench.elapsed(), 1),
    }


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None
