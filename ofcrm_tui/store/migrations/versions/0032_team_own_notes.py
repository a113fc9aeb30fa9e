"""team: a chatter changes only its own notes, and assigns in its own name

On PostgreSQL a chatter could rewrite or delete another chatter's note (which kept
showing its author's name) and record an assignment as given by someone else. The
restrictive policies of ``store/security.py`` are put in again as they are now: a
chatter updates and deletes only the notes whose author is its login, and inserts or
changes an assignment only with ``assigned_by`` its login (deleting one, taking a
conversation back from anyone, stays open). Workers and managers as before. No
privilege changes: what a chatter's role may do by command and column stays.

Revision ID: 0032_team_own_notes
Revises: 0031_fans_account_index
"""

from __future__ import annotations

from alembic import op

from ofcrm_tui.store import security

revision = "0032_team_own_notes"
down_revision = "0031_fans_account_index"
branch_labels = None
depends_on = None

# The policies this revision adds, by name and table.
_ADDED = (
    ("ofcrm_own_note_edits", "notes"),
    ("ofcrm_own_note_deletes", "notes"),
    ("ofcrm_own_assignments", "conversation_assignments"),
    ("ofcrm_own_assignment_edits", "conversation_assignments"),
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        security.install_rules(bind, delete_right=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, table in _ADDED:
            op.execute(f"DROP POLICY IF EXISTS {name} ON {table}")
