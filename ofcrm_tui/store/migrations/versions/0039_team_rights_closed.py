"""team rights closed at the database; campaign ids never given again on SQLite

On PostgreSQL the rules of ``store/security.py`` are put in again as they are now: a
chatter records a deleted fan (``deleted_fans``: INSERT, UPDATE) only with the delete
right, as the app does when it deletes one (forgetting one stays open: a fan added
again, a worker's sync); a chatter with the campaign right deletes what the app's
``D`` deletes (a draft, or a campaign cancelled before it started, with no message
queued), its group given DELETE on ``campaigns`` here (the groups holding INSERT on
it: a worker's holds none) before the next ``ofcrm team init`` grants it from
``security.CHATTER_PRIVILEGES``; and a worker is no longer told it may delete fans
(``ofcrm_whoami``, ``ofcrm_granted_accounts('delete')``): its privileges delete none.

Downgraded on PostgreSQL, the policies added here go and the chatter groups' DELETE
on ``campaigns`` is revoked; the access functions stay as this revision made them
(``ofcrm_whoami`` and ``ofcrm_granted_accounts`` no longer tell a worker it may delete
fans). Harmless: at 0038 a worker's privileges deleted no fan either, so what they
say is what the database allows there too.

On SQLite ``campaigns.id`` becomes AUTOINCREMENT: a plain rowid gives a deleted
campaign's id to the next one, and a screen holding the deleted one wrote to the new.
Not by making the table again (dropping it would cascade to its queued messages):
its definition is rewritten in place (``store/sqlite_schema``), the ``sqlite_sequence``
SQLite keeps the ids in made first if no table needed it yet, starting at the highest
id there is. SQLite does not name this change among those it documents as safe in
place; it holds because the table's file format does not change (the id is the rowid
with AUTOINCREMENT or without), and AUTOINCREMENT only makes each insert take its id
past the one ``sqlite_sequence`` holds, seeded here.

Revision ID: 0039_team_rights_closed
Revises: 0038_notes_edited_by
"""

from __future__ import annotations

import re

from alembic import op
from sqlalchemy import Connection

from ofcrm_tui.store import security
from ofcrm_tui.store.sqlite_schema import rewrite_definition

revision = "0039_team_rights_closed"
down_revision = "0038_notes_edited_by"
branch_labels = None
depends_on = None

# The policies this revision adds, by name and table.
_ADDED = (
    ("ofcrm_deleted_fan_records", "deleted_fans"),
    ("ofcrm_deleted_fan_edits", "deleted_fans"),
    ("ofcrm_campaign_deletes", "campaigns"),
)
_CHATTER_GROUPS = (
    "SELECT DISTINCT grantee FROM information_schema.table_privileges"
    " WHERE table_schema = current_schema() AND table_name = 'campaigns'"
    " AND privilege_type = 'INSERT' AND grantee NOT IN (current_user, 'PUBLIC')"
)
_KEY = re.compile(r"\bPRIMARY KEY \(id\)")
_KEY_AUTOINCREMENT = re.compile(r"\bPRIMARY KEY \(id AUTOINCREMENT\)")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        security.install_rules(bind, delete_right=True)
        _grant(bind, "GRANT DELETE ON campaigns TO {}")
        return
    if not _has_sequence_table(bind):
        # SQLite makes its sequence table with the first AUTOINCREMENT table only.
        op.execute("CREATE TABLE _ofcrm_sequence (id INTEGER PRIMARY KEY AUTOINCREMENT)")
        op.execute("DROP TABLE _ofcrm_sequence")
    rewrite_definition(bind, "campaigns", _KEY, "PRIMARY KEY (id AUTOINCREMENT)",
                       "number campaigns by AUTOINCREMENT")
    op.execute("INSERT INTO sqlite_sequence (name, seq)"
               " SELECT 'campaigns', coalesce(max(id), 0) FROM campaigns")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for name, table in _ADDED:
            op.execute(f"DROP POLICY IF EXISTS {name} ON {table}")
        _grant(bind, "REVOKE DELETE ON campaigns FROM {}")
        return
    rewrite_definition(bind, "campaigns", _KEY_AUTOINCREMENT, "PRIMARY KEY (id)",
                       "number campaigns by rowid")
    op.execute("DELETE FROM sqlite_sequence WHERE name = 'campaigns'")


def _grant(bind: Connection, statement: str) -> None:
    """``statement`` for each chatter group (those that may insert campaigns)."""
    quote = bind.dialect.identifier_preparer.quote
    for grantee in bind.exec_driver_sql(_CHATTER_GROUPS).scalars().all():
        op.execute(statement.format(quote(grantee)))


def _has_sequence_table(bind: Connection) -> bool:
    return bind.exec_driver_sql(
        "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'").scalar() > 0
