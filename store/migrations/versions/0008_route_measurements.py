"""routing between SMS providers: measured routes, breakers, message parts and routes

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 08:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "route_stats",
        sa.Column("provider", sa.String(length=20), primary_key=True),
        sa.Column("country", sa.String(length=2), primary_key=True),
        sa.Column("delivered", sa.Float(), nullable=False),
        sa.Column("failed", sa.Float(), nullable=False),
        sa.Column("seconds_sum", sa.Float(), nullable=False),
        sa.Column("seconds_weight", sa.Float(), nullable=False),
        sa.Column("cost_sum", sa.Float(), nullable=False),
        sa.Column("cost_weight", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "route_breakers",
        sa.Column("provider", sa.String(length=20), primary_key=True),
        sa.Column("country", sa.String(length=2), primary_key=True),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("probed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "message_parts",
        sa.Column("provider", sa.String(length=20), primary_key=True),
        sa.Column("part_id", sa.String(length=64), primary_key=True),
        sa.Column("message_key", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error_code", sa.String(length=40), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_message_parts_message_key", "message_parts", ["message_key"])
    op.create_table(
        "message_routes",
        sa.Column("message_key", sa.String(length=300), primary_key=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("route_order", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("scores", sa.Text(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cost_usd", sa.Numeric(10, 6), nullable=True),
        sa.Column("counted", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("message_routes")
    op.drop_index("ix_message_parts_message_key", table_name="message_parts")
    op.drop_table("message_parts")
    op.drop_table("route_breakers")
    op.drop_table("route_stats")
