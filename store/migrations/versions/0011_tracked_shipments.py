"""tracked shipments: a carrier's tracking code linked to the order it ships, so a tracker
webhook that names only the code finds its order and customer

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 13:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tracked_shipments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("carrier", sa.String(length=60), nullable=False),
        sa.Column("tracking_code", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("workflow_id", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("account", sa.String(length=100), nullable=False),
        sa.Column("merchant", sa.String(length=100), nullable=True),
        sa.Column("easypost_tracker_id", sa.String(length=100), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tracking_code", "carrier"),
        sa.UniqueConstraint("easypost_tracker_id"),
    )
    op.create_index("ix_tracked_shipments_workflow_id", "tracked_shipments", ["workflow_id"])


def downgrade() -> None:
    op.drop_index("ix_tracked_shipments_workflow_id", table_name="tracked_shipments")
    op.drop_table("tracked_shipments")
