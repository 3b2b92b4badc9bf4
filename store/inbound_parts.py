"""A customer's long text that arrives one webhook per part, kept until it is whole.

Vonage delivers an inbound SMS longer than one part as one webhook per part: they share a
``concat-ref`` (0-255, which the same phone reuses for a later text), each says which part
of how many it is, they come in any order, and a webhook not answered 2xx comes again.
The HTTP service may run as several replicas, each getting some of the parts, so the parts
wait here. Whoever stores the last part takes the text: one DELETE ... RETURNING that
deletes only a complete set, so two webhooks (or replicas) can never both take it. A text
still missing parts after the wait is taken as it stands by the sweep, so a "STOP" that
opens a text whose last part got lost is still heard (api/provider_inbound.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Engine, and_, delete, func, select
from sqlalchemy.exc import IntegrityError

from store.tables import InboundPartRow

PARTS = InboundPartRow.__table__


@dataclass(frozen=True)
class InboundPart:
    provider: str
    sender: str  # E.164, as the adapter read it
    concat_ref: str
    part: int  # 1-based
    total: int
    provider_message_id: str
    body: str


@dataclass(frozen=True)
class WholeText:
    """A text put back together: every part, or (``complete`` False) those that came."""

    parts: tuple[InboundPart, ...]  # in order

    @property
    def sender(self) -> str:
        return self.parts[0].sender

    @property
    def body(self) -> str:
        return "".join(p.body for p in self.parts)

    @property
    def provider_message_id(self) -> str:  # the first part's: what the text is known by
        return self.parts[0].provider_message_id

    @property
    def complete(self) -> bool:
        return len(self.parts) >= self.parts[0].total


class InboundParts:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, part: InboundPart, *, now: datetime, wait: timedelta) -> list[WholeText]:
        """Keep ``part``; the texts it completes or pushes out, oldest first.

        A part stored already (Vonage retrying its webhook) is not stored twice. Parts under
        the same reference older than ``wait`` belong to an earlier text that never came
        whole: it is taken as it stands before this part is kept."""
        key = _key(part.provider, part.sender, part.concat_ref)
        texts = self._take(key, PARTS.c.received_at < now - wait)
        self._keep(part, now)
        # After the insert's commit, so that two last parts stored at once both see all
        # the parts; only one of their DELETEs returns them.
        count = select(func.count()).where(key).scalar_subquery()
        return texts + self._take(key, count >= PARTS.c.total)

    def put_back(self, text: WholeText, *, now: datetime) -> None:
        """A text taken but not handled (Temporal away): its parts wait again, for the
        provider's retry of the webhook or for the sweep."""
        for part in text.parts:
            self._keep(part, now)

    def _keep(self, part: InboundPart, now: datetime) -> None:
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    PARTS.insert().values(
                        provider=part.provider,
                        sender=part.sender,
                        concat_ref=part.concat_ref,
                        part=part.part,
                        total=part.total,
                        provider_message_id=part.provider_message_id,
                        body=part.body,
                        received_at=now,
                    )
                )
        except IntegrityError:
            pass  # kept already: a retried webhook, or a part put back

    def take_stale(self, *, now: datetime, wait: timedelta) -> list[WholeText]:
        """Texts whose first part came more than ``wait`` ago and that are still not
        whole: taken as they stand (the sweep)."""
        with self._engine.connect() as connection:
            stale = connection.execute(
                select(PARTS.c.provider, PARTS.c.sender, PARTS.c.concat_ref)
                .group_by(PARTS.c.provider, PARTS.c.sender, PARTS.c.concat_ref)
                .having(func.min(PARTS.c.received_at) < now - wait)
            ).all()
        texts: list[WholeText] = []
        for provider, sender, concat_ref in stale:
            texts += self._take(_key(provider, sender, concat_ref), None)
        return texts

    def _take(
        self, key: ColumnElement[bool], condition: ColumnElement[bool] | None
    ) -> list[WholeText]:
        where = [key] if condition is None else [key, condition]
        statement = delete(PARTS).where(*where).returning(*PARTS.c)
        with self._engine.begin() as connection:
            rows = sorted(connection.execute(statement).all(), key=lambda r: r.part)
        if not rows:
            return []
        parts = tuple(
            InboundPart(
                provider=r.provider,
                sender=r.sender,
                concat_ref=r.concat_ref,
                part=r.part,
                total=r.total,
                provider_message_id=r.provider_message_id,
                body=r.body,
            )
            for r in rows
        )
        return [WholeText(parts)]


def _key(provider: str, sender: str, concat_ref: str) -> ColumnElement[bool]:
    return and_(
        PARTS.c.provider == provider, PARTS.c.sender == sender, PARTS.c.concat_ref == concat_ref
    )
