"""delivery reports handed to the waiting send activity instead of a signal

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 02:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("final_status", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("final_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("report_waiter", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("report_waiter")
        batch.drop_column("final_at")
        batch.drop_column("final_status")
