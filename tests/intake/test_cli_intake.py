"""``herald intake``: the backlog, and the dead letters listed most urgent first, shown,
replayed once after a fix, and discarded."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from cli import intake as cli
from cli.errors import CliError
from cli.main import build_parser
from intake.source import PRIORITY_CRITICAL, PRIORITY_NORMAL
from store.repository import Store
from tests.helpers.events import order_event

NOW = datetime.now(UTC)


class Unclosed:
    """The test's store for a command that closes what it opened."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)

    def close(self) -> None:
        pass


@pytest.fixture
def run(store: Store, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cli, "_store", lambda: Unclosed(store))

    def command(*argv: str) -> tuple[int, str]:
        args = build_parser().parse_args(["intake", *argv])
        out = io.StringIO()
        return args.handler(args, out), out.getvalue()

    return command


def good_payload(reference: str) -> bytes:
    return order_event("delayed", reference).model_dump_json().encode()


def test_dead_letters_are_listed_most_urgent_first(run, store: Store) -> None:  # type: ignore[no-untyped-def]
    store.dead_letters.keep("generic", "a", "shipped, no contact", b"{}", PRIORITY_NORMAL, NOW)
    store.dead_letters.keep(
        "generic", "a", "delayed, no contact", b"{1}", PRIORITY_CRITICAL, NOW - timedelta(hours=1)
    )
    code, out = run("dlq", "list", "--json")
    assert code == 0
    assert [r["reason"] for r in json.loads(out)] == ["delayed, no contact", "shipped, no contact"]


def test_a_replay_after_a_fix_reaches_the_inbox_once(run, store: Store) -> None:  # type: ignore[no-untyped-def]
    kept = store.dead_letters.keep(
        "generic", "a", "mapping was wrong", good_payload("C1"), PRIORITY_CRITICAL, NOW
    )
    code, out = run("dlq", "replay", str(kept))
    assert code == 0 and "1 event(s)" in out
    assert store.intake_inbox.backlog() == 1
    run("dlq", "replay", str(kept))  # a second replay adds nothing
    assert store.intake_inbox.backlog() == 1
    assert run("dlq", "list")[1] == "no dead letters\n"


def test_a_replay_that_still_fails_keeps_the_letter_with_the_new_reason(run, store: Store) -> None:  # type: ignore[no-untyped-def]
    kept = store.dead_letters.keep("generic", "a", "old reason", b"[1, 2]", PRIORITY_NORMAL, NOW)
    code, out = run("dlq", "replay", str(kept))
    assert code == 4 and "not a JSON object" in out
    [letter] = store.dead_letters.list(10)
    assert letter.reason == "the body is not a JSON object"


def test_show_discard_and_status(run, store: Store) -> None:  # type: ignore[no-untyped-def]
    kept = store.dead_letters.keep("generic", "a", "no contact", b'{"x": 1}', PRIORITY_NORMAL, NOW)
    code, out = run("dlq", "show", str(kept))
    assert code == 0 and '{"x": 1}' in out and "no contact" in out
    assert run("dlq", "discard", str(kept))[0] == 0
    assert run("dlq", "list")[1] == "no dead letters\n"
    with pytest.raises(CliError):
        run("dlq", "show", "999")
    code, out = run("status", "--json")
    report = json.loads(out)
    assert (report["waiting"], report["oldest_waiting_seconds"], report["dead_letters"]) == (
        0,
        None,
        0,
    )
    [generic] = report["sources"]  # refused once in the last hour, then discarded
    assert (generic["source"], generic["status"], generic["refused_last_hour"]) == (
        "generic",
        "ok",
        1,
    )
