"""message facts for the KPIs: event, merchant, country, provider, fallbacks, e-mail opens

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 08:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "message_facts",
        sa.Column("message_key", sa.String(length=300), primary_key=True),
        sa.Column("workflow_id", sa.String(length=200), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("event_occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("merchant", sa.String(length=100), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("fallback_of", sa.String(length=300), nullable=True),
        sa.Column("fallback_reason", sa.String(length=40), nullable=True),
        sa.Column("open_tracked", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_message_facts_event", "message_facts", ["workflow_id", "event_id"])


def downgrade() -> None:
    op.drop_index("ix_message_facts_event", table_name="message_facts")
    op.drop_table("message_facts")
