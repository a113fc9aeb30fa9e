"""fans created by hand: ``fans.platform_user_id`` may be empty

A fan known from elsewhere (typed in, or imported from a spreadsheet) has no platform
user id. The unique constraint on ``(account_id, platform_user_id)`` stays: both
SQLite and PostgreSQL treat NULLs as distinct there, so any number of hand-made fans
coexist while a platform id still names at most one fan of an account.

PostgreSQL drops the NOT NULL in place. SQLite cannot alter a column, and Alembic's
batch mode (copy the table, drop the old one) must not be used on ``fans``: with
foreign keys on, dropping it cascades to conversations, messages, notes and tags, and
the FTS5 triggers of 0002 go with it. SQLite documents a procedure for exactly this
change (removing a NOT NULL constraint, "Making Other Kinds Of Table Schema Changes"
in its ALTER TABLE page): ``store/sqlite_schema`` rewrites the table's definition in
``sqlite_schema`` and bumps the schema version, in the migration's transaction; the
stored rows do not change.

Revision ID: 0008_fans_by_hand
Revises: 0007_name_substrings
"""

from __future__ import annotations

import re

from alembic import op
from sqlalchemy.engine import Connection

from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.store.sqlite_schema import rewrite_definition

revision = "0008_fans_by_hand"
down_revision = "0007_name_substrings"
branch_labels = None
depends_on = None

_REQUIRED = re.compile(r"\bplatform_user_id BIGINT NOT NULL\b")
_OPTIONAL = re.compile(r"\bplatform_user_id BIGINT\b(?! NOT NULL)")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE fans ALTER COLUMN platform_user_id DROP NOT NULL")
        return
    _rewrite(bind, _REQUIRED, "platform_user_id BIGINT")


def downgrade() -> None:
    bind = op.get_bind()
    by_hand = bind.exec_driver_sql(
        "SELECT count(*) FROM fans WHERE platform_user_id IS NULL"
    ).scalar()
    if by_hand:
        raise OfcrmError(
            f"{by_hand} fans were created by hand (no platform id): delete them "
            "before going back to a version that cannot hold them"
        )
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE fans ALTER COLUMN platform_user_id SET NOT NULL")
        return
    _rewrite(bind, _OPTIONAL, "platform_user_id BIGINT NOT NULL")


def _rewrite(bind: Connection, column: re.Pattern[str], new: str) -> None:
    rewrite_definition(bind, "fans", column, new, "change platform_user_id")
