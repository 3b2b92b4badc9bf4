"""False rejects and false accepts of the intake's mapping and validation, on the labelled
corpus of realistic payloads (``tests/corpora/intake``; bench/intake_corpus_build.py).

``python -m bench.intake_corpus`` needs no server: each payload goes through its source's
pure mapping and the account's rules (intake/validation.py), as the routes do, and the
outcome is compared with its label. It prints per source: payloads, false rejects (a
payload that could be notified but was refused), false accepts (one labelled refused that
went through), other misjudgements (the wrong channel, ignored instead of kept...), the
false-reject rate over the notifiable payloads, and every misjudged payload with its label's
reason and what happened. Target: nothing misjudged.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from domain.events import Customer
from intake.source import IntakeRefused, Mapped
from intake.sources.generic import GenericAccount, map_generic
from intake.sources.shopify import ShopifyAccount, map_webhook
from intake.validation import RuleBook, checked

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpora" / "intake"
SOURCES = ("shopify", "generic")
NOTIFIABLE = frozenset({"sms", "email"})


@dataclass(frozen=True)
class Verdict:
    case_id: str
    expected: str
    got: str
    why: str  # the label's reason
    said: str  # the refusal's reason or the mapping's note

    @property
    def right(self) -> bool:
        return self.expected == self.got

    @property
    def false_reject(self) -> bool:
        return self.expected in NOTIFIABLE and self.got == "refused"

    @property
    def false_accept(self) -> bool:
        return self.expected == "refused" and self.got in NOTIFIABLE


@dataclass
class Figures:
    source: str
    verdicts: list[Verdict] = field(default_factory=list)

    @property
    def notifiable(self) -> int:
        return sum(v.expected in NOTIFIABLE for v in self.verdicts)

    @property
    def false_rejects(self) -> int:
        return sum(v.false_reject for v in self.verdicts)

    @property
    def false_accepts(self) -> int:
        return sum(v.false_accept for v in self.verdicts)

    @property
    def misjudged(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.right]

    @property
    def false_reject_rate(self) -> float:
        return self.false_rejects / self.notifiable if self.notifiable else 0.0


class Judge:
    """Maps and validates a case as its source's route would, with the corpus's accounts."""

    def __init__(self, accounts_toml: Path = CORPUS / "accounts.toml") -> None:
        config = tomllib.loads(accounts_toml.read_text())
        self.shops = {
            shop.shop: shop for shop in map(ShopifyAccount.model_validate, config["shopify"])
        }
        self.rule_book = RuleBook(config.get("validation", []))
        generic_tables = map(GenericAccount.model_validate, config.get("generic", []))
        self.zones = {account.account: account.time_zone for account in generic_tables}

    def outcome(self, case: dict[str, Any]) -> tuple[str, str]:
        """(sms | email | push | ignored | refused | crashed, what the intake said)."""
        rules = self.rule_book.rules_for(case["source"], case["account"])
        try:
            mapped = checked(self._mapping(case)(rules), rules)
        except IntakeRefused as refused:
            return "refused", refused.reason
        except Exception as exc:
            return "crashed", f"{type(exc).__name__}: {exc}"
        note = mapped.ignored or ""
        if not mapped.events:
            return "ignored", note
        customer = mapped.events[0].customer
        channel = "sms" if customer.phone else "email" if customer.email else "push"
        return channel, note

    def _mapping(self, case: dict[str, Any]) -> Callable[[Any], Mapped]:
        payload = case["payload"]
        if case["source"] == "generic":
            zone = self.zones.get(case["account"].lower())
            return lambda rules: map_generic(payload, rules, time_zone=zone)
        known = case.get("order_customer")
        order_customer = Customer.model_validate(known) if known else None
        account = self.shops[case["account"]]
        return lambda rules: map_webhook(
            case["topic"],
            case["account"],
            payload,
            account=account,
            customer_of=lambda _order_id: order_customer,
            rules=rules,
        )


def load(source: str, folder: Path = CORPUS) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads((folder / f"{source}.json").read_text())
    return cases


def measure(source: str, judge: Judge | None = None, folder: Path = CORPUS) -> Figures:
    judge = judge or Judge(folder / "accounts.toml")
    figures = Figures(source)
    for case in load(source, folder):
        got, said = judge.outcome(case)
        figures.verdicts.append(Verdict(case["id"], case["expect"], got, case["why"], said))
    return figures


def main() -> None:
    judge = Judge()
    print(
        f"{'source':9}{'payloads':>9}{'notifiable':>11}{'false rej.':>11}{'rate':>7}"
        f"{'false acc.':>11}{'other':>7}"
    )
    all_misjudged: list[Verdict] = []
    for source in SOURCES:
        f = measure(source, judge)
        other = len(f.misjudged) - f.false_rejects - f.false_accepts
        print(
            f"{source:9}{len(f.verdicts):>9}{f.notifiable:>11}{f.false_rejects:>11}"
            f"{f.false_reject_rate:>7.1%}{f.false_accepts:>11}{other:>7}"
        )
        all_misjudged += f.misjudged
    for v in all_misjudged:
        kind = "false reject" if v.false_reject else "false accept" if v.false_accept else "other"
        print(f"\n{v.case_id} ({kind}): expected {v.expected}, got {v.got}\n  label: {v.why}")
        if v.said:
            print(f"  intake: {v.said}")


if __name__ == "__main__":
    main()
