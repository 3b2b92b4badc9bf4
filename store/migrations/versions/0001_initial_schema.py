"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 21:35:07.009980
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('messages',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('message_key', sa.String(length=300), nullable=False),
    sa.Column('workflow_id', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('milestone', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('recipient_masked', sa.String(length=320), nullable=False),
    sa.Column('recipient_hash', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.Text(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('outbox_state', sa.String(length=20), nullable=False),
    sa.Column('delivery_status', sa.String(length=20), nullable=False),
    sa.Column('provider_message_id', sa.String(length=100), nullable=True),
    sa.Column('provider_calls', sa.Integer(), nullable=False),
    sa.Column('error_code', sa.String(length=40), nullable=True),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('encoding', sa.String(length=10), nullable=True),
    sa.Column('segments', sa.Integer(), nullable=True),
    sa.Column('estimated_cost_usd', sa.Numeric(precision=12, scale=5), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('provider_called_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('message_key')
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messages_provider_message_id'), ['provider_message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_recipient_hash'), ['recipient_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_workflow_id'), ['workflow_id'], unique=False)

    op.create_table('sender_pacing',
    sa.Column('sender', sa.String(length=100), nullable=False),
    sa.Column('next_slot_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('sender')
    )
    op.create_table('timeline_entries',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('entry_key', sa.String(length=300), nullable=False),
    sa.Column('workflow_id', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('milestone', sa.String(length=40), nullable=True),
    sa.Column('event_id', sa.String(length=200), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('entry_key')
    )
    with op.batch_alter_table('timeline_entries', schema=None) as batch_op:
        batch_op.create_index('ix_timeline_entries_workflow_id_at', ['workflow_id', 'at'], unique=False)

    op.create_table('message_statuses',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('error_code', sa.String(length=40), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('message_statuses', schema=None) as batch_op:
        batch_op.create_index('ix_message_statuses_message_id', ['message_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('message_statuses', schema=None) as batch_op:
        batch_op.drop_index('ix_message_statuses_message_id')

    op.drop_table('message_statuses')
    with op.batch_alter_table('timeline_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_timeline_entries_workflow_id_at')

    op.drop_table('timeline_entries')
    op.drop_table('sender_pacing')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messages_workflow_id'))
        batch_op.drop_index(batch_op.f('ix_messages_recipient_hash'))
        batch_op.drop_index(batch_op.f('ix_messages_provider_message_id'))

    op.drop_table('messages')

