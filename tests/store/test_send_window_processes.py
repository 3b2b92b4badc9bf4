"""Two worker processes drain one sender's backlog through the shared store.

Each process runs many concurrent senders (as a worker runs many workflows): reserve a
slot, sleep until it, take a permit (asking again when told), record the moment. Across
both processes no one-second window may hold more than the limit, and the backlog must
drain at close to the limit.

The same run prints its figures from a shell:
``python -m tests.store.test_send_window_processes --rate 1 --messages 30``
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from store.database import make_engine, make_session_factory
from store.migrate import upgrade
from store.repository import Store
from store.send_window import SenderLimiter
from tests.store.test_send_window import most_in_one_window

SENDER = "+15005550006"
CONCURRENT_SENDERS_PER_PROCESS = 16


@dataclass(frozen=True)
class DrainFigures:
    messages: int
    limit_per_second: float
    most_in_one_second: int
    sustained_per_second: float

    @property
    def share_of_limit(self) -> float:
        return self.sustained_per_second / self.limit_per_second


def send_backlog(url: str, rate: float, messages: int, start_at: float) -> list[float]:
    """One worker process: ``messages`` sends through the limiter; returns permit times."""
    engine = make_engine(url)
    limiter = SenderLimiter(make_session_factory(engine))
    sent: list[float] = []
    lock = threading.Lock()

    def send_one(_: int) -> None:
        slot = limiter.reserve(SENDER, rate, time.time())
        time.sleep(max(0.0, slot - time.time()))  # the workflow's durable timer
        while True:
            now = time.time()
            permit = limiter.acquire(SENDER, rate, now)
            if permit.granted:
                with lock:
                    sent.append(now)
                return
            time.sleep(max(0.0, (permit.retry_at or now) - time.time()))

    time.sleep(max(0.0, start_at - time.time()))
    with ThreadPoolExecutor(max_workers=CONCURRENT_SENDERS_PER_PROCESS) as pool:
        list(pool.map(send_one, range(messages)))
    engine.dispose()
    return sent


def drain_with_two_processes(url: str, rate: float, messages_per_process: int) -> DrainFigures:
    context = multiprocessing.get_context("spawn")
    start_at = time.time() + 3.0  # both start together, after the interpreters are up
    with context.Pool(2) as pool:
        runs = pool.starmap(
            send_backlog, [(url, rate, messages_per_process, start_at) for _ in range(2)]
        )
    times = sorted(t for run in runs for t in run)
    return DrainFigures(
        messages=len(times),
        limit_per_second=rate,
        most_in_one_second=most_in_one_window(times),
        sustained_per_second=steady_rate(times),
    )


def steady_rate(times: list[float]) -> float:
    """Sends per second between the 10th and the 90th percentile send: the drain's steady
    pace, without the start-up and the tail."""
    first, last = len(times) // 10, len(times) - 1 - len(times) // 10
    return (last - first) / (times[last] - times[first])


def test_two_processes_never_exceed_the_limit_and_stay_close_to_it(store: Store) -> None:
    url = store.engine.url.render_as_string(hide_password=False)
    rate = 20.0

    figures = drain_with_two_processes(url, rate, messages_per_process=60)

    assert figures.messages == 120
    assert figures.most_in_one_second <= rate
    assert figures.share_of_limit >= 0.9, figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=1.0, help="messages per second")
    parser.add_argument("--messages", type=int, default=30, help="per process")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite:///{Path(scratch) / 'drain.sqlite3'}"
        upgrade(url)
        figures = drain_with_two_processes(url, args.rate, args.messages)
    print(json.dumps({**figures.__dict__, "share_of_limit": round(figures.share_of_limit, 4)}))


if __name__ == "__main__":
    main()
