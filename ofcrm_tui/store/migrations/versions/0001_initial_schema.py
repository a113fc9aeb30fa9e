"""initial schema

Revision ID: 0001_initial
Revises: 
Create Date: 2026-11-25 00:16:57.732262
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ofcrm_tui.store.types

revision = '0001_initial'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('accounts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('base_url', sa.String(length=512), nullable=False),
    sa.Column('creator_platform_id', sa.BigInteger(), nullable=True),
    sa.Column('creator_username', sa.String(length=255), nullable=True),
    sa.Column('creator_name', sa.String(length=255), nullable=True),
    sa.Column('send_limit_per_minute', sa.Integer(), nullable=False),
    sa.Column('send_blocked_until', ofcrm_tui.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('auth_error', sa.Text(), nullable=True),
    sa.Column('created_at', ofcrm_tui.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('send_limit_per_minute > 0', name=op.f('ck_accounts_send_limit_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('name', name=op.f('uq_accounts_name'))
    )
    op.create_table('campaigns',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('price_cents', sa.BigInteger(), nullable=False),
    sa.Column('media_ids', sa.JSON(), nullable=False),
    sa.Column('preview_ids', sa.JSON(), nullable=False),
    sa.Column('segment', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.Column('created_at', ofcrm_tui.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', ofcrm_tui.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'running', 'paused', 'done', 'cancelled')", name=op.f('ck_campaigns_status')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_campaigns_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns'))
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaigns_account_id'), ['account_id'], unique=False)

    op.create_table('fans',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('platform_user_id', sa.BigInteger(), nullable=False),
    sa.Column('username', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('nickname', sa.String(length=255), nullable=False),
    sa.Column('last_seen_at', ofcrm_tui.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('subscription_status', sa.String(length=16), nullable=False),
    sa.Column('subscribed_at', ofcrm_tui.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('expires_at', ofcrm_tui.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('renewed_at', ofcrm_tui.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('subscribe_price_cents', sa.BigInteger(), nullable=False),
    sa.Column('total_spent_cents', sa.BigInteger(), nullable=False),
    sa.Column('tips_cents', sa.BigInteger(), nullable=False),
    sa.Column('messages_cents', sa.BigInteger(), nullable=False),
    sa.Column('subscriptions_cents', sa.BigInteger(), nullable=False),
    sa.Column('posts_cents', sa.BigInteger(), nullable=False),
    sa.Column('created_at', ofcrm_tui.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', ofcrm_tui.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("subscription_status IN ('active', 'expired')", name=op.f('ck_fans_status')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_fans_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fans')),
    sa.UniqueConstraint('account_id', 'platform_user_id', name='uq_fans_account_platform_user')
    )
    with op.batch_alter_table('fans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fans_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_fans_account_spent', ['account_id', 'total_spent_cents'], unique=False)
        batch_op.create_index('ix_fans_account_username', ['account_id', 'username'], unique=False)

    op.create_table('media',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('platform_media_id', sa.BigInteger(), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('created_at', ofcrm_tui.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_media_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media')),
    sa.UniqueConstraint('account_id', 'platform_media_id', name='uq_media_account_platform')
    )
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_media_account_id'), ['account_id'], unique=False)

    op.create_table('metric_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.Column('recorded_at', ofcrm_tui.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_metric_events_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_metric_events'))
    )
    with op.batch_alter_table('metric_events', schema=None) as batch_op:
        batch_op.create_index('ix_metric_events_lookup', ['account_id', 'name', 'recorded_at'], unique=False)

    op.create_table('saved_replies',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', ofcrm_tui.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_saved_replies_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_replies')),
    sa.UniqueConstraint('account_id', 'name', name='uq_saved_replies_name')
    )
    with op.batch_alter_table('saved_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_replies_account_id'), ['account_id'], unique=False)

    op.create_table('sync_cursors',
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('stream', sa.String(length=32), nullable=False),
    sa.Column('value', sa.String(length=255), nullable=False),
    sa.Column('updated_at', ofcrm_tui.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_sync_cursors_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id', 'stream', name=op.f('pk_sync_cursors'))
    )
    op.create_table('tags',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('color', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_tags_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tags')),
    sa.UniqueConstraint('account_id', 'name', name='uq_tags_account_name')
    )
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tags_account_id'), ['account_id'], unique=False)

    op.create_table('conversations',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('fan_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('unread_count', sa.Integer(), nullable=False),
    sa.Column('last_read_platform_message_id', sa.BigInteger(), nullable=True),
    sa.Column('last_platform_message_id', sa.BigInteger(), nullable=True),
    sa.Column('last_message_at', ofcrm_tui.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_message_preview', sa.String(length=200), nullable=False),
    sa.Column('last_message_direction', sa.String(length=3), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_conversations_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['fan_id'], ['fans.id'], name=op.f('fk_conversations_fan_id_fans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversations')),
    sa.UniqueConstraint('fan_id', name=op.f('uq_conversations_fan_id'))
    )
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversations_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_conversations_inbox', ['account_id', 'last_message_at', 'id'], unique=False)

    op.create_table('fan_tags',
    sa.Column('fan_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('tag_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_fan_tags_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['fan_id'], ['fans.id'], name=op.f('fk_fan_tags_fan_id_fans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_fan_tags_tag_id_tags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('fan_id', 'tag_id', name=op.f('pk_fan_tags'))
    )
    with op.batch_alter_table('fan_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fan_tags_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fan_tags_tag_id'), ['tag_id'], unique=False)

    op.create_table('notes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('fan_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('author', sa.String(length=128), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', ofcrm_tui.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', ofcrm_tui.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_notes_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['fan_id'], ['fans.id'], name=op.f('fk_notes_fan_id_fans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notes'))
    )
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notes_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notes_fan_id'), ['fan_id'], unique=False)

    op.create_table('outbound_messages',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('fan_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('campaign_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('price_cents', sa.BigInteger(), nullable=False),
    sa.Column('media_ids', sa.JSON(), nullable=False),
    sa.Column('preview_ids', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', ofcrm_tui.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lease_owner', sa.String(length=128), nullable=True),
    sa.Column('lease_expires_at', ofcrm_tui.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('first_attempt_at', ofcrm_tui.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_attempt_at', ofcrm_tui.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('platform_message_id', sa.BigInteger(), nullable=True),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.Column('created_at', ofcrm_tui.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', ofcrm_tui.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', ofcrm_tui.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('reply', 'manual', 'campaign')", name=op.f('ck_outbound_messages_kind')),
    sa.CheckConstraint("state IN ('queued', 'sending', 'sent', 'unknown', 'failed', 'paused', 'cancelled')", name=op.f('ck_outbound_messages_state')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_outbound_messages_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_outbound_messages_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['fan_id'], ['fans.id'], name=op.f('fk_outbound_messages_fan_id_fans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbound_messages'))
    )
    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.create_index('ix_outbound_claim', ['account_id', 'state', 'priority', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbound_messages_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbound_messages_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbound_messages_fan_id'), ['fan_id'], unique=False)

    op.create_table('transactions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('platform_transaction_id', sa.BigInteger(), nullable=False),
    sa.Column('fan_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('platform_user_id', sa.BigInteger(), nullable=True),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('net_cents', sa.BigInteger(), nullable=False),
    sa.Column('fee_cents', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=8), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('created_at', ofcrm_tui.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("type IN ('subscription', 'tip', 'message', 'post', 'stream')", name=op.f('ck_transactions_type')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_transactions_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['fan_id'], ['fans.id'], name=op.f('fk_transactions_fan_id_fans'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transactions')),
    sa.UniqueConstraint('account_id', 'platform_transaction_id', name='uq_transactions_platform')
    )
    with op.batch_alter_table('transactions', schema=None) as batch_op:
        batch_op.create_index('ix_transactions_account_created', ['account_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_transactions_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transactions_fan_id'), ['fan_id'], unique=False)

    op.create_table('messages',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('conversation_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('fan_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('platform_message_id', sa.BigInteger(), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('price_cents', sa.BigInteger(), nullable=False),
    sa.Column('is_opened', sa.Boolean(), nullable=False),
    sa.Column('is_tip', sa.Boolean(), nullable=False),
    sa.Column('tip_cents', sa.BigInteger(), nullable=False),
    sa.Column('media_count', sa.Integer(), nullable=False),
    sa.Column('media_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', ofcrm_tui.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_by', sa.String(length=128), nullable=True),
    sa.CheckConstraint("direction IN ('in', 'out')", name=op.f('ck_messages_direction')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_messages_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_messages_conversation_id_conversations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['fan_id'], ['fans.id'], name=op.f('fk_messages_fan_id_fans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    sa.UniqueConstraint('account_id', 'platform_message_id', name='uq_messages_account_platform_message')
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_account_created', ['account_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_messages_thread', ['conversation_id', 'platform_message_id'], unique=False)

    op.create_table('send_attempts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('outbound_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('attempted_at', ofcrm_tui.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_send_attempts_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outbound_id'], ['outbound_messages.id'], name=op.f('fk_send_attempts_outbound_id_outbound_messages'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_send_attempts'))
    )
    with op.batch_alter_table('send_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_send_attempts_outbound_id'), ['outbound_id'], unique=False)
        batch_op.create_index('ix_send_attempts_window', ['account_id', 'attempted_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('send_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_send_attempts_window')
        batch_op.drop_index(batch_op.f('ix_send_attempts_outbound_id'))

    op.drop_table('send_attempts')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_thread')
        batch_op.drop_index(batch_op.f('ix_messages_account_id'))
        batch_op.drop_index('ix_messages_account_created')

    op.drop_table('messages')
    with op.batch_alter_table('transactions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transactions_fan_id'))
        batch_op.drop_index(batch_op.f('ix_transactions_account_id'))
        batch_op.drop_index('ix_transactions_account_created')

    op.drop_table('transactions')
    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbound_messages_fan_id'))
        batch_op.drop_index(batch_op.f('ix_outbound_messages_campaign_id'))
        batch_op.drop_index(batch_op.f('ix_outbound_messages_account_id'))
        batch_op.drop_index('ix_outbound_claim')

    op.drop_table('outbound_messages')
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notes_fan_id'))
        batch_op.drop_index(batch_op.f('ix_notes_account_id'))

    op.drop_table('notes')
    with op.batch_alter_table('fan_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fan_tags_tag_id'))
        batch_op.drop_index(batch_op.f('ix_fan_tags_account_id'))

    op.drop_table('fan_tags')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index('ix_conversations_inbox')
        batch_op.drop_index(batch_op.f('ix_conversations_account_id'))

    op.drop_table('conversations')
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tags_account_id'))

    op.drop_table('tags')
    op.drop_table('sync_cursors')
    with op.batch_alter_table('saved_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_replies_account_id'))

    op.drop_table('saved_replies')
    with op.batch_alter_table('metric_events', schema=None) as batch_op:
        batch_op.drop_index('ix_metric_events_lookup')

    op.drop_table('metric_events')
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_media_account_id'))

    op.drop_table('media')
    with op.batch_alter_table('fans', schema=None) as batch_op:
        batch_op.drop_index('ix_fans_account_username')
        batch_op.drop_index('ix_fans_account_spent')
        batch_op.drop_index(batch_op.f('ix_fans_account_id'))

    op.drop_table('fans')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaigns_account_id'))

    op.drop_table('campaigns')
    op.drop_table('accounts')
