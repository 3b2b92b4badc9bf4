"""The routes' measurements and circuit breakers, shared by every worker and replica.

Each update reads the route's row under a row lock (``FOR UPDATE``; SQLite serialises
writers anyway), applies the pure rule from routing/ and writes it back, so two workers
recording outcomes at once both count. A first outcome that races another's insert is
retried once as an update.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from routing.breaker import BreakerState
from routing.estimates import Outcome, RouteStats
from routing.rules import BreakerSettings
from store.tables import RouteBreakerRow, RouteStatsRow

Row = TypeVar("Row", RouteStatsRow, RouteBreakerRow)


class RouteMeasurements:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    # -- reads -----------------------------------------------------------------------------

    def stats_for(self, country: str) -> dict[str, RouteStats]:
        with self._sessions() as session:
            rows = session.scalars(select(RouteStatsRow).where(RouteStatsRow.country == country))
            return {row.provider: _stats(row) for row in rows}

    def breakers_for(self, country: str) -> dict[str, BreakerState]:
        with self._sessions() as session:
            rows = session.scalars(
                select(RouteBreakerRow).where(RouteBreakerRow.country == country)
            )
            return {row.provider: _breaker(row) for row in rows}

    def all_stats(self) -> list[RouteStats]:
        with self._sessions() as session:
            rows = session.scalars(
                select(RouteStatsRow).order_by(RouteStatsRow.country, RouteStatsRow.provider)
            )
            return [_stats(row) for row in rows]

    def all_breakers(self) -> list[BreakerState]:
        with self._sessions() as session:
            return [_breaker(row) for row in session.scalars(select(RouteBreakerRow))]

    # -- writes ----------------------------------------------------------------------------

    def record_outcome(
        self,
        provider: str,
        country: str,
        outcome: Outcome,
        *,
        now: datetime,
        half_life_seconds: float,
        seconds_to_final: float | None = None,
        cost_usd: Decimal | None = None,
    ) -> RouteStats:
        """One message's final outcome on this route."""

        def change(row: RouteStatsRow | None) -> RouteStatsRow:
            current = _stats(row) if row is not None else RouteStats(provider, country)
            new = current.with_outcome(
                outcome,
                now=now,
                half_life_seconds=half_life_seconds,
                seconds_to_final=seconds_to_final,
                cost_usd=cost_usd,
            )
            target = row or RouteStatsRow(provider=provider, country=country)
            target.delivered, target.failed = new.delivered, new.failed
            target.seconds_sum, target.seconds_weight = new.seconds_sum, new.seconds_weight
            target.cost_sum, target.cost_weight = new.cost_sum, new.cost_weight
            target.updated_at = new.updated_at or now
            return target

        return _stats(self._upsert(RouteStatsRow, provider, country, change))

    def record_outage(
        self, provider: str, country: str, *, now: datetime, settings: BreakerSettings
    ) -> BreakerState:
        return self._change_breaker(
            provider, country, lambda state: state.after_outage(now, settings)
        )

    def record_success(self, provider: str, country: str) -> BreakerState:
        return self._change_breaker(provider, country, lambda state: state.after_success())

    def record_probe(self, provider: str, country: str, *, now: datetime) -> BreakerState:
        return self._change_breaker(provider, country, lambda state: state.probing(now))

    def _change_breaker(
        self, provider: str, country: str, rule: Callable[[BreakerState], BreakerState]
    ) -> BreakerState:
        def change(row: RouteBreakerRow | None) -> RouteBreakerRow:
            current = _breaker(row) if row is not None else BreakerState(provider, country)
            new = rule(current)
            target = row or RouteBreakerRow(provider=provider, country=country)
            target.mode, target.failures = new.mode, new.failures
            target.opened_at, target.probed_at = new.opened_at, new.probed_at
            return target

        return _breaker(self._upsert(RouteBreakerRow, provider, country, change))

    def _upsert(
        self, table: type[Row], provider: str, country: str, change: Callable[[Row | None], Row]
    ) -> Row:
        for attempt in range(2):
            try:
                with self._sessions.begin() as session:
                    row = session.scalars(
                        select(table)
                        .where(table.provider == provider, table.country == country)
                        .with_for_update()
                    ).one_or_none()
                    updated = change(row)
                    if row is None:
                        session.add(updated)
                    session.flush()
                    session.expunge(updated)
                    return updated
            except IntegrityError:
                if attempt:
                    raise
        raise AssertionError("unreachable")


def _stats(row: RouteStatsRow) -> RouteStats:
    return RouteStats(
        provider=row.provider,
        country=row.country,
        delivered=row.delivered,
        failed=row.failed,
        seconds_sum=row.seconds_sum,
        seconds_weight=row.seconds_weight,
        cost_sum=row.cost_sum,
        cost_weight=row.cost_weight,
        updated_at=row.updated_at,
    )


def _breaker(row: RouteBreakerRow) -> BreakerState:
    return BreakerState(
        provider=row.provider,
        country=row.country,
        mode=row.mode,  # type: ignore[arg-type]
        failures=row.failures,
        opened_at=row.opened_at,
        probed_at=row.probed_at,
    )
