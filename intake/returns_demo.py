"""A returns table of a pretend retailer, for ``make run``, the end-to-end tests and the
watcher's tests: the shape config/intake.toml's ``herald-demo`` watcher reads, and the
statement a retailer's system would run when a return moves on.

Herald never writes to a real retailer's table; this one lives in a file under ``.data``
(or a test's own database) and is written only through these functions.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    select,
    update,
)

DEMO_TABLE = "returns"
# A trigger a retailer adds so the watcher hears of a change at once (docs/intake.md):
# one notification per statement, sent when the transaction commits.
NOTIFY_TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION herald_returns_notify() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('{channel}', '');
  RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER herald_returns_notify AFTER INSERT OR UPDATE ON {table}
  FOR EACH STATEMENT EXECUTE FUNCTION herald_returns_notify();
"""


def returns_table(name: str = DEMO_TABLE) -> Table:
    metadata = MetaData()
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("rma", String(100), nullable=False, unique=True),
        Column("status", String(40), nullable=False),
        Column("customer_name", String(200)),
        Column("customer_phone", String(40)),
        Column("customer_email", String(320)),
        Column("customer_locale", String(35)),
        Column("refund_amount", Numeric(12, 2)),
        Column("currency", String(3)),
        Column("updated_at", DateTime(timezone=True), nullable=False),
        # What the watcher's cursor reads in: without it every pass scans the table.
        Index(f"ix_{name}_updated_at_id", "updated_at", "id"),
    )


def create_returns_table(engine: Engine, name: str = DEMO_TABLE) -> Table:
    table = returns_table(name)
    table.metadata.create_all(engine)
    return table


def set_return_status(
    engine: Engine,
    rma: str,
    status: str,
    *,
    phone: str | None = None,
    email: str | None = None,
    name: str | None = None,
    locale: str | None = None,
    refund: tuple[Decimal, str] | None = None,
    updated_at: datetime | None = None,
    table_name: str = DEMO_TABLE,
) -> int:
    """Insert the return or move it to ``status``, as a retailer's system would (with
    ``updated_at``, now unless given); its row id."""
    table = returns_table(table_name)
    values: dict[str, object] = {"status": status, "updated_at": updated_at or datetime.now(UTC)}
    contact = {"customer_phone": phone, "customer_email": email, "customer_name": name}
    values.update({k: v for k, v in contact.items() if v is not None})
    if locale is not None:
        values["customer_locale"] = locale
    if refund is not None:
        values["refund_amount"], values["currency"] = refund
    with engine.begin() as connection:
        found = connection.execute(select(table.c.id).where(table.c.rma == rma)).scalar()
        if found is None:
            inserted = connection.execute(table.insert().values(rma=rma, **values))
            return int(inserted.inserted_primary_key[0])
        connection.execute(update(table).where(table.c.id == found).values(**values))
        return int(found)
