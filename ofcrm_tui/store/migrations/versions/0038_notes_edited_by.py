"""a note saved by someone other than its author says so

``notes.edited_by`` and ``notes.edited_at``: who last saved the note when it was not its
author (a manager on a team's database; on SQLite another ``chatter_name``), and when.
NULL on the notes there: nobody but their authors could change them before (a chatter's
own, 0032), or nobody knew. No role is granted them: a chatter edits only its own notes
and never writes them, so the mark another's edit leaves stays (workers and managers
write the whole table).

Revision ID: 0038_notes_edited_by
Revises: 0037_conversations_marked_unread
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ofcrm_tui.store.types import UTCDateTime

revision = "0038_notes_edited_by"
down_revision = "0037_conversations_marked_unread"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("notes", sa.Column("edited_by", sa.String(128), nullable=True))
    op.add_column("notes", sa.Column("edited_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("notes", "edited_at")
    op.drop_column("notes", "edited_by")
