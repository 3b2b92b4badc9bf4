"""inbound parts: a customer's long text, kept until every part of it came

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 11:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbound_parts",
        sa.Column("provider", sa.String(length=20), primary_key=True),
        sa.Column("sender", sa.String(length=32), primary_key=True),
        sa.Column("concat_ref", sa.String(length=64), primary_key=True),
        sa.Column("part", sa.Integer(), primary_key=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("provider_message_id", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_inbound_parts_received_at", "inbound_parts", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_inbound_parts_received_at", table_name="inbound_parts")
    op.drop_table("inbound_parts")
