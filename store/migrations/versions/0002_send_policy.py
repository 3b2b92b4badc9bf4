"""send policy: consent, preferences, sender limits

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 22:14:54.087064
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notification_preferences',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('customer_hash', sa.String(length=64), nullable=False),
    sa.Column('notification_type', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('notification_preferences', schema=None) as batch_op:
        batch_op.create_index('ux_notification_preferences_choice', ['customer_hash', 'notification_type', 'channel'], unique=True)

    op.create_table('sender_back_pressure',
    sa.Column('sender', sa.String(length=100), nullable=False),
    sa.Column('rate_factor', sa.Float(), nullable=False),
    sa.Column('slowed_until', sa.Float(), nullable=False),
    sa.Column('reported_at', sa.Float(), nullable=False),
    sa.Column('reports', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('sender')
    )
    op.create_table('sender_daily_counts',
    sa.Column('sender', sa.String(length=100), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('sent', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('sender', 'day')
    )
    op.create_table('sender_send_slots',
    sa.Column('sender', sa.String(length=100), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('last_used_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('sender', 'slot')
    )
    op.create_table('sms_consent',
    sa.Column('recipient_hash', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('keyword', sa.String(length=40), nullable=True),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('recipient_hash')
    )
    op.create_table('sms_consent_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('recipient_hash', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('keyword', sa.String(length=40), nullable=True),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sms_consent_events', schema=None) as batch_op:
        batch_op.create_index('ux_sms_consent_events_change', ['recipient_hash', 'occurred_at', 'state'], unique=True)



def downgrade() -> None:
    with op.batch_alter_table('sms_consent_events', schema=None) as batch_op:
        batch_op.drop_index('ux_sms_consent_events_change')

    op.drop_table('sms_consent_events')
    op.drop_table('sms_consent')
    op.drop_table('sender_send_slots')
    op.drop_table('sender_daily_counts')
    op.drop_table('sender_back_pressure')
    with op.batch_alter_table('notification_preferences', schema=None) as batch_op:
        batch_op.drop_index('ux_notification_preferences_choice')

    op.drop_table('notification_preferences')
