"""``herald preferences`` and ``herald consent`` against a real store."""

from __future__ import annotations

import argparse
import io
from collections.abc import Callable

import pytest

from cli.preferences import add_preferences_parser
from store.repository import Store

PHONE = "+14155550167"
Herald = Callable[..., tuple[int, str]]  # argv in; exit code and output out


@pytest.fixture
def herald(store: Store) -> Herald:
    url = store.engine.url.render_as_string(hide_password=False)

    def run(*argv: str) -> tuple[int, str]:
        parser = argparse.ArgumentParser(prog="herald")
        add_preferences_parser(parser.add_subparsers(dest="command", required=True))
        args = parser.parse_args([*argv, "--database-url", url])
        out = io.StringIO()
        return args.handler(args, out), out.getvalue()

    return run


def test_show_lists_every_type_on_every_channel_masked(herald: Herald) -> None:
    code, output = herald("preferences", "show", PHONE, "Ana@Example.com")

    assert code == 0
    assert output.splitlines()[0] == "customer +1********67, a***@example.com"
    assert "  order_progress      on     on     on" in output
    assert "  refund              on*    on*    on*" in output
    assert PHONE not in output


def test_set_turns_a_type_off_and_show_reflects_it(herald: Herald) -> None:
    code, output = herald("preferences", "set", PHONE, "order_progress", "sms", "off")
    _, shown = herald("preferences", "show", PHONE)

    assert (code, output) == (0, "+1********67: order_progress by sms off\n")
    assert "  order_progress      off    on     on" in shown


def test_critical_types_and_unknown_types_are_refused(
    herald: Herald, capsys: pytest.CaptureFixture[str]
) -> None:
    assert herald("preferences", "set", PHONE, "refund", "sms", "off")[0] == 2
    assert "critical" in capsys.readouterr().err
    assert herald("preferences", "set", PHONE, "marketing", "sms", "off")[0] == 2
    assert "unknown type" in capsys.readouterr().err


def test_a_bad_number_is_refused_without_echoing_it(
    herald: Herald, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = herald("consent", "show", "+1415555")

    assert code == 2
    assert "+1415555" not in capsys.readouterr().err


def test_consent_stop_start_and_history(herald: Herald) -> None:
    assert herald("consent", "show", PHONE) == (
        0,
        "+1********67: may be texted (no STOP or START on record)\n",
    )

    code, stopped = herald("consent", "stop", PHONE, "--keyword", "stop")
    _, started = herald("consent", "start", PHONE)
    _, shown = herald("consent", "show", PHONE)

    assert code == 0
    assert "opted out since" in stopped and "(STOP, from cli): no SMS until START" in stopped
    assert "opted in since" in started and "may be texted" in started
    history = shown.splitlines()[1:]
    assert [line.split("  ")[-1] for line in history] == [
        "opted_out (STOP, from cli)",
        "opted_in (from cli)",
    ]
