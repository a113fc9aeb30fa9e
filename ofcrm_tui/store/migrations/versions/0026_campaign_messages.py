"""campaign messages: not replies; the sender of a conversation's last message

``messages.is_campaign``: the message was sent by a campaign (a bulk message, not a
chatter's answer to the fan). Such a message gets no reply time and is left out when the
reply time of the message after it is found: a chatter's reply after a campaign message
waited since the fan's message before them. Migration 0010's trigger (kept under its
name, so PostgreSQL's team security still runs it as the owner) now skips campaign
messages and also runs when a message turns out to be a campaign's after it was stored
(the sync may store it before the sender does). Messages already there are marked from
the campaign's outbound messages they were delivered as, then every reply time is set
again (the reply rollups of 0016 follow through their triggers).

``conversations.last_message_sent_by``: who sent the last message from ofcrm (as
``messages.sent_by``), so the inbox list names another chatter's message instead of
"You". Read with the row like the preview (no index holds it). Filled in from the
messages.

Revision ID: 0026_campaign_messages
Revises: 0025_team_rights
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ofcrm_tui.store.rollups import SECONDS, reply_seconds_statement

revision = "0026_campaign_messages"
down_revision = "0025_team_rights"
branch_labels = None
depends_on = None

_TRIGGER = "messages_reply_seconds"
# Recompute the reply time of the new (or newly campaign) message and of the reply after
# it; ``{skip}`` leaves campaign messages out (empty: 0010's trigger).
_RECOMPUTE = """
UPDATE messages SET reply_seconds = (
    SELECT CASE WHEN messages.direction = 'out' {mine} AND p.direction = 'in' THEN {seconds} END
    FROM messages AS p
    WHERE p.conversation_id = messages.conversation_id
      AND p.platform_message_id < messages.platform_message_id {skip_p}
    ORDER BY p.platform_message_id DESC LIMIT 1)
WHERE id IN (NEW.id, (
    SELECT s.id FROM messages AS s
    WHERE s.conversation_id = NEW.conversation_id
      AND s.platform_message_id > NEW.platform_message_id {skip_s}
    ORDER BY s.platform_message_id LIMIT 1));
"""


def _recompute(dialect: str, *, campaigns: bool) -> str:
    return _RECOMPUTE.format(
        seconds=SECONDS[dialect].format(later="messages.created_at", earlier="p.created_at"),
        mine="AND NOT messages.is_campaign" if campaigns else "",
        skip_p="AND NOT p.is_campaign" if campaigns else "",
        skip_s="AND NOT s.is_campaign" if campaigns else "",
    )


def _sqlite_triggers(*, campaigns: bool) -> None:
    recompute = _recompute("sqlite", campaigns=campaigns)
    op.execute(f"DROP TRIGGER {_TRIGGER}")
    op.execute(f"CREATE TRIGGER {_TRIGGER} AFTER INSERT ON messages BEGIN {recompute} END")
    if campaigns:
        op.execute(
            f"CREATE TRIGGER {_TRIGGER}_campaign AFTER UPDATE OF is_campaign ON messages "
            f"WHEN NEW.is_campaign IS NOT OLD.is_campaign BEGIN {recompute} END"
        )
    else:
        op.execute(f"DROP TRIGGER {_TRIGGER}_campaign")


def _postgresql_trigger(bind: sa.Connection, *, campaigns: bool) -> None:
    """The function replaced in place; its owner's rights (``store/security``), which a
    replacement would reset, are given back."""
    recompute = _recompute("postgresql", campaigns=campaigns)
    definer = bind.exec_driver_sql(
        f"SELECT prosecdef FROM pg_proc WHERE oid = '{_TRIGGER}()'::regprocedure").scalar()
    when = "TG_OP = 'INSERT' OR OLD.is_campaign IS DISTINCT FROM NEW.is_campaign"
    body = f"IF {when} THEN {recompute} END IF;" if campaigns else recompute
    op.execute(
        f"CREATE OR REPLACE FUNCTION {_TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {body} RETURN NULL; END $$"
    )
    if definer:
        schema = bind.dialect.identifier_preparer.quote(
            bind.exec_driver_sql("SELECT current_schema()").scalar_one())
        op.execute(
            f"ALTER FUNCTION {_TRIGGER}() SECURITY DEFINER SET search_path = {schema}, pg_temp")
    events = "INSERT OR UPDATE OF is_campaign" if campaigns else "INSERT"
    op.execute(f"DROP TRIGGER {_TRIGGER} ON messages")
    op.execute(
        f"CREATE TRIGGER {_TRIGGER} AFTER {events} ON messages "
        f"FOR EACH ROW EXECUTE FUNCTION {_TRIGGER}()"
    )


def _triggers(*, campaigns: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _sqlite_triggers(campaigns=campaigns)
    else:
        _postgresql_trigger(bind, campaigns=campaigns)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column("messages", sa.Column(
        "is_campaign", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("conversations", sa.Column("last_message_sent_by", sa.String(128), nullable=True))
    # From the campaign rows (far fewer than messages), each found by its unique key.
    op.execute(
        "UPDATE messages SET is_campaign = true WHERE (account_id, platform_message_id) IN"
        " (SELECT account_id, platform_message_id FROM outbound_messages"
        " WHERE kind = 'campaign' AND platform_message_id IS NOT NULL)"
    )
    op.execute(
        "UPDATE conversations SET last_message_sent_by = (SELECT m.sent_by FROM messages AS m"
        " WHERE m.account_id = conversations.account_id"
        " AND m.platform_message_id = conversations.last_platform_message_id)"
        " WHERE last_message_direction = 'out'"
    )
    _triggers(campaigns=True)
    op.execute(reply_seconds_statement(dialect, "true"))


def downgrade() -> None:
    """0010's trigger again; the reply times stay as they are (campaign messages keep
    none), the columns go."""
    _triggers(campaigns=False)
    op.drop_column("conversations", "last_message_sent_by")
    op.drop_column("messages", "is_campaign")
