"""Carrier status codes to milestones, as tables in configuration
(config/carrier_statuses.toml): EasyPost's Tracker ``status`` refined by ``status_detail``,
AfterShip's ``tag`` refined by ``subtag``.

Tables rather than code: a carrier aggregator adds codes now and then, and the answer to
"what does the customer hear when EasyPost says X" is an operator's decision, made once in
one file and read by every tracker source and the poller.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.events import PROBLEM_MILESTONES, DeliveryProblem
from domain.milestones import MILESTONES_BY_KIND, Kind, Milestone

IGNORE = "ignore"


class StatusMeaning(BaseModel):
    """What one carrier code tells the customer: a milestone (None: nothing), and for a
    delay, an attempt or an exception, what went wrong."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    milestone: Milestone | None
    problem: DeliveryProblem | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        # "delivered" or "ignore" for the common case; a table when there is a problem.
        if isinstance(value, str):
            return {"milestone": None if value == IGNORE else value}
        return value

    @model_validator(mode="after")
    def _fits(self) -> Self:
        if self.milestone is not None and self.milestone not in MILESTONES_BY_KIND[Kind.ORDER]:
            raise ValueError(f"{self.milestone.value!r} is not an order milestone")
        if self.problem is not None and self.milestone not in PROBLEM_MILESTONES:
            raise ValueError(f"a problem is only given with {', '.join(PROBLEM_MILESTONES)}")
        return self


class StatusTable(BaseModel):
    """A carrier source's main codes and the finer codes that refine them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    main: dict[str, StatusMeaning]
    refining: dict[str, StatusMeaning] = Field(default_factory=dict)

    @field_validator("main")
    @classmethod
    def _not_empty(cls, value: dict[str, StatusMeaning]) -> dict[str, StatusMeaning]:
        if not value:
            raise ValueError("a carrier status table needs its main codes")
        return value

    def meaning(self, main: str | None, refining: str | None) -> StatusMeaning | None:
        """The refining code's meaning if the table names it, else the main code's;
        None: neither is known (a new code: dead-lettered until the table learns it)."""
        if refining and refining in self.refining:
            return self.refining[refining]
        return self.main.get(main or "")


class CarrierStatuses(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    easypost: StatusTable
    aftership: StatusTable


def load_carrier_statuses(path: Path) -> CarrierStatuses:
    """The file's tables under the providers' own field names (``status`` and
    ``status_detail``; ``tag`` and ``subtag``). A missing file or a bad entry raises: a
    tracker source without its table would dead-letter every report."""
    tables = tomllib.loads(path.read_text())
    easypost = tables.get("easypost", {})
    aftership = tables.get("aftership", {})
    return CarrierStatuses(
        easypost=StatusTable(
            main=easypost.get("status", {}), refining=easypost.get("status_detail", {})
        ),
        aftership=StatusTable(main=aftership.get("tag", {}), refining=aftership.get("subtag", {})),
    )
