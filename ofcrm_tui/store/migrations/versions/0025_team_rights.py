"""team rights: deleting fans is a right, and a chatter's role does through SQL only
what the app does

``team_members.can_delete``: a chatter may delete fans (and with them their history)
only with it (``ofcrm team add-chatter --can-delete``). On PostgreSQL the access
functions, triggers and restrictive policies of ``store/security.py`` are put in again
as they are now: the delete right, the deleted fans named in the audit trail, a sent
message kept as sent, a chatter's drafts its own, its notes, replies and campaigns in
its own name, a campaign's rows changed only with the campaign right, and
``ofcrm_account_chatters`` (whom an account's conversations may be assigned to). The
privileges by command and column come with the next ``ofcrm team init``.

Revision ID: 0025_team_rights
Revises: 0024_platform_nicknames
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ofcrm_tui.store import security

revision = "0025_team_rights"
down_revision = "0024_platform_nicknames"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "team_members",
        sa.Column("can_delete", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        security.install_rules(bind, delete_right=True)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        security.install_rules(bind, delete_right=False)
    op.drop_column("team_members", "can_delete")
