"""``herald templates lint`` and ``herald templates preview``."""

from __future__ import annotations

import argparse
import io

import pytest

from cli.templates import add_templates_parser
from tests.messaging.conftest import MerchantFile


def _run(*argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="herald")
    add_templates_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    out = io.StringIO()
    return args.handler(args, out), out.getvalue()


def test_lint_passes_on_the_builtin_templates() -> None:
    code, output = _run("templates", "lint")
    assert code == 0, output
    assert "built-in templates" in output and "ok" in output


def test_lint_fails_on_a_broken_merchant_template(merchant_file: MerchantFile) -> None:
    path = merchant_file("acme/en/sms/shipped.txt", "{{ brand.name }}: buy cheap vodka\n")
    code, output = _run("templates", "lint")
    assert code == 1
    assert f"{path}:1: [shaft-alcohol]" in output
    assert "merchant acme" in output


def test_lint_reports_an_sms_over_budget(merchant_file: MerchantFile) -> None:
    path = merchant_file("acme/en/sms/shipped.txt", "{{ brand.name }}: " + "word " * 40 + "\n")
    code, output = _run("templates", "lint", "--merchant", "acme")
    assert code == 1
    assert f"{path}:1: [segment-budget]" in output


def test_lint_reports_an_attribute_that_does_not_exist(merchant_file: MerchantFile) -> None:
    path = merchant_file(
        "acme/en/push/shipped.txt", "---\ntitle: {{ brand.name }}\n---\n\n{{ customer.surname }}\n"
    )
    code, output = _run("templates", "lint", "--merchant", "acme")
    assert code == 1
    assert f"{path}:5: [render]" in output and "surname" in output


@pytest.mark.parametrize("channel", ["sms", "email", "push"])
def test_preview_shows_the_rendered_message(channel: str) -> None:
    code, output = _run("templates", "preview", "shipped", "--locale", "en", "--channel", channel)
    assert code == 0
    assert "HS-2025-0048213" in output


def test_preview_sms_shows_encoding_segments_and_cost() -> None:
    code, output = _run("templates", "preview", "delivered", "--channel", "sms")
    assert code == 0
    assert "encoding: GSM-7" in output
    assert "segments: 1" in output
    assert "estimated cost: $0.0075" in output


def test_preview_of_an_unknown_milestone_is_refused() -> None:
    with pytest.raises(SystemExit):
        _run("templates", "preview", "teleported")


def test_preview_renders_a_delivery_problem(merchant_file: MerchantFile) -> None:
    merchant_file(
        "acme/en/push/exception.txt",
        "---\ntitle: {{ brand.name }}\n---\n{{ reference }} problem={{ problem or 'none' }}\n",
    )
    argv = ("templates", "preview", "exception", "--channel", "push", "--merchant", "acme")
    assert "problem=lost" in _run(*argv, "--problem", "lost")[1]
    assert "problem=none" in _run(*argv)[1]


def test_preview_refuses_a_problem_on_a_milestone_without_one() -> None:
    code, output = _run("templates", "preview", "shipped", "--problem", "lost")
    assert code == 2 and output == ""


def test_lint_renders_every_delivery_problem(merchant_file: MerchantFile) -> None:
    path = merchant_file(
        "acme/en/push/exception.txt",
        "---\ntitle: {{ brand.name }}\n---\n{{ reference }}"
        "{% if problem == 'damaged' %} {{ customer.surname }}{% endif %}\n",
    )
    code, output = _run("templates", "lint", "--merchant", "acme")
    assert code == 1
    assert f"{path}:4: [render]" in output and "surname" in output
