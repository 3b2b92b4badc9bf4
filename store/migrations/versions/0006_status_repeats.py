"""status callbacks: a repeated report is counted on its first row, not stored again

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 08:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("message_statuses") as batch:
        batch.add_column(
            sa.Column("repeats", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("message_statuses") as batch:
        batch.drop_column("repeats")
