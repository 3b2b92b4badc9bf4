"""``python -m bench.baseline_worker``: the baseline's worker, in its own process.

A separate entry module so the workflow is imported as ``bench.baseline``, never as
``__main__``, which Temporal's workflow sandbox could not re-import.
"""

from __future__ import annotations

import logging

import uvloop

from bench.baseline import run_worker
from config.settings import get_settings

if __name__ == "__main__":
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # httpx logs each request at INFO; Herald's worker does not log its provider calls either.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    uvloop.run(run_worker(get_settings()))  # the same event loop as Herald's worker
