"""``{% optional %}...{% endoptional %}``: what an SMS can lose to fit its segment budget.

``{% optional %}`` is dropped first, ``{% optional 2 %}`` next, and so on up to 9. The
renderer raises the drop level one step at a time until the message fits, so a template
says in advance which words go, and no word is ever cut in half.
"""

from __future__ import annotations

from collections.abc import Callable

from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.parser import Parser

DROP_LEVEL_VARIABLE = "herald_drop_level"  # set by the renderer on every render
MAX_PRIORITY = 9


class OptionalPartExtension(Extension):
    tags = {"optional"}  # noqa: RUF012 - Jinja's own class attribute

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        priority = 1
        if not parser.stream.current.test("block_end"):
            token = parser.stream.expect("integer")
            priority = int(token.value)
            if not 1 <= priority <= MAX_PRIORITY:
                parser.fail(f"optional part priority must be 1 to {MAX_PRIORITY}", token.lineno)
        body = parser.parse_statements(("name:endoptional",), drop_needle=True)
        call = self.call_method(
            "_render_part", [nodes.Const(priority), nodes.Name(DROP_LEVEL_VARIABLE, "load")]
        )
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    @staticmethod
    def _render_part(priority: int, drop_level: int, caller: Callable[[], str]) -> str:
        return "" if priority <= drop_level else caller()
